#ifndef ONEDNN_SHIM_H
#define ONEDNN_SHIM_H

#include <stdint.h>

/// A oneDNN forward convolution with bias and ReLU fused (a post-op), created once for one
/// layer: the caller's activations in NCHW or NHWC, the weights reordered once (outside any
/// timing) into the layout oneDNN picks for itself, as a framework caches them. An in-run
/// yardstick of the bench; the kernels never call it.
typedef struct nnk_onednn_convolution nnk_onednn_convolution;

/// Returns NULL on failure and writes a line saying why into `error` (`error_size` bytes).
/// `dilation_*` is 1 for none. `weights` are OIHW (groups folded into O), `bias` has O values.
nnk_onednn_convolution *nnk_onednn_convolution_create(
    int64_t batch, int64_t groups, int64_t in_channels, int64_t in_height, int64_t in_width,
    int64_t out_channels, int64_t out_height, int64_t out_width, int64_t kernel_height, int64_t kernel_width,
    int64_t stride_height, int64_t stride_width, int64_t padding_height, int64_t padding_width,
    int64_t dilation_height, int64_t dilation_width, int channels_last,
    const float *weights, const float *bias, char *error, int error_size);

/// One forward pass: `input` and `output` in the layout given at creation. Returns 0 on success.
int nnk_onednn_convolution_run(nnk_onednn_convolution *convolution, const float *input, float *output);

void nnk_onednn_convolution_destroy(nnk_onednn_convolution *convolution);

#endif
