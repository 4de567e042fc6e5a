#include "OneDNNShim.h"

#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>

struct nnk_onednn_convolution {
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    dnnl_primitive_t primitive;
    dnnl_memory_t source, weights, bias, destination;
};

#define TRY(call)                                                                         \
    do {                                                                                  \
        dnnl_status_t status_ = (call);                                                   \
        if (status_ != dnnl_success) {                                                    \
            snprintf(error, (size_t)error_size, "oneDNN: %s failed with status %d", #call, \
                     (int)status_);                                                       \
            goto fail;                                                                    \
        }                                                                                 \
    } while (0)

nnk_onednn_convolution *nnk_onednn_convolution_create(
    int64_t batch, int64_t groups, int64_t in_channels, int64_t in_height, int64_t in_width,
    int64_t out_channels, int64_t out_height, int64_t out_width, int64_t kernel_height, int64_t kernel_width,
    int64_t stride_height, int64_t stride_width, int64_t padding_height, int64_t padding_width,
    int64_t dilation_height, int64_t dilation_width, int channels_last,
    const float *weights, const float *bias, char *error, int error_size) {
    nnk_onednn_convolution *c = calloc(1, sizeof *c);
    dnnl_primitive_desc_t pd = NULL, reorder_pd = NULL;
    dnnl_primitive_t reorder = NULL;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t post_ops = NULL;
    dnnl_memory_t user_weights = NULL;
    if (!c) {
        snprintf(error, (size_t)error_size, "out of memory");
        return NULL;
    }
    TRY(dnnl_engine_create(&c->engine, dnnl_cpu, 0));
    TRY(dnnl_stream_create(&c->stream, c->engine, dnnl_stream_default_flags));

    dnnl_format_tag_t activations = channels_last ? dnnl_nhwc : dnnl_nchw;
    dnnl_memory_desc_t src_md, dst_md, bias_md, user_weights_md, any_weights_md;
    dnnl_dims_t src_dims = {batch, in_channels, in_height, in_width};
    dnnl_dims_t dst_dims = {batch, out_channels, out_height, out_width};
    dnnl_dims_t bias_dims = {out_channels};
    TRY(dnnl_memory_desc_init_by_tag(&src_md, 4, src_dims, dnnl_f32, activations));
    TRY(dnnl_memory_desc_init_by_tag(&dst_md, 4, dst_dims, dnnl_f32, activations));
    TRY(dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, dnnl_f32, dnnl_x));
    if (groups > 1) {
        dnnl_dims_t dims = {groups, out_channels / groups, in_channels / groups, kernel_height, kernel_width};
        TRY(dnnl_memory_desc_init_by_tag(&user_weights_md, 5, dims, dnnl_f32, dnnl_goihw));
        TRY(dnnl_memory_desc_init_by_tag(&any_weights_md, 5, dims, dnnl_f32, dnnl_format_tag_any));
    } else {
        dnnl_dims_t dims = {out_channels, in_channels, kernel_height, kernel_width};
        TRY(dnnl_memory_desc_init_by_tag(&user_weights_md, 4, dims, dnnl_f32, dnnl_oihw));
        TRY(dnnl_memory_desc_init_by_tag(&any_weights_md, 4, dims, dnnl_f32, dnnl_format_tag_any));
    }
    // oneDNN counts dilation from 0; the right and bottom padding make the output size come out.
    dnnl_dims_t strides = {stride_height, stride_width};
    dnnl_dims_t dilates = {dilation_height - 1, dilation_width - 1};
    dnnl_dims_t padding_l = {padding_height, padding_width};
    dnnl_dims_t padding_r = {
        (out_height - 1) * stride_height + (kernel_height - 1) * dilation_height + 1 - in_height - padding_height,
        (out_width - 1) * stride_width + (kernel_width - 1) * dilation_width + 1 - in_width - padding_width};
    dnnl_convolution_desc_t desc;
    TRY(dnnl_dilated_convolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_convolution_direct, &src_md,
                                                   &any_weights_md, &bias_md, &dst_md, strides, dilates, padding_l,
                                                   padding_r));
    TRY(dnnl_post_ops_create(&post_ops));
    TRY(dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f));
    TRY(dnnl_primitive_attr_create(&attr));
    TRY(dnnl_primitive_attr_set_post_ops(attr, post_ops));
    TRY(dnnl_primitive_desc_create(&pd, &desc, attr, c->engine, NULL));
    TRY(dnnl_primitive_create(&c->primitive, pd));

    // The weights in oneDNN's own layout, reordered once from the caller's.
    const dnnl_memory_desc_t *weights_md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    TRY(dnnl_memory_create(&user_weights, &user_weights_md, c->engine, (void *)weights));
    TRY(dnnl_memory_create(&c->weights, weights_md, c->engine, DNNL_MEMORY_ALLOCATE));
    TRY(dnnl_reorder_primitive_desc_create(&reorder_pd, &user_weights_md, c->engine, weights_md, c->engine, NULL));
    TRY(dnnl_primitive_create(&reorder, reorder_pd));
    dnnl_exec_arg_t reorder_args[2] = {{DNNL_ARG_FROM, user_weights}, {DNNL_ARG_TO, c->weights}};
    TRY(dnnl_primitive_execute(reorder, c->stream, 2, reorder_args));
    TRY(dnnl_stream_wait(c->stream));

    TRY(dnnl_memory_create(&c->bias, &bias_md, c->engine, (void *)bias));
    TRY(dnnl_memory_create(&c->source, &src_md, c->engine, DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&c->destination, &dst_md, c->engine, DNNL_MEMORY_NONE));

    dnnl_primitive_destroy(reorder);
    dnnl_primitive_desc_destroy(reorder_pd);
    dnnl_memory_destroy(user_weights);
    dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_attr_destroy(attr);
    dnnl_post_ops_destroy(post_ops);
    return c;
fail:
    if (reorder) dnnl_primitive_destroy(reorder);
    if (reorder_pd) dnnl_primitive_desc_destroy(reorder_pd);
    if (user_weights) dnnl_memory_destroy(user_weights);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (post_ops) dnnl_post_ops_destroy(post_ops);
    nnk_onednn_convolution_destroy(c);
    return NULL;
}

int nnk_onednn_convolution_run(nnk_onednn_convolution *c, const float *input, float *output) {
    if (dnnl_memory_set_data_handle(c->source, (void *)input) != dnnl_success) return 1;
    if (dnnl_memory_set_data_handle(c->destination, output) != dnnl_success) return 1;
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, c->source},
                               {DNNL_ARG_WEIGHTS, c->weights},
                               {DNNL_ARG_BIAS, c->bias},
                               {DNNL_ARG_DST, c->destination}};
    if (dnnl_primitive_execute(c->primitive, c->stream, 4, args) != dnnl_success) return 1;
    return dnnl_stream_wait(c->stream) == dnnl_success ? 0 : 1;
}

void nnk_onednn_convolution_destroy(nnk_onednn_convolution *c) {
    if (!c) return;
    if (c->primitive) dnnl_primitive_destroy(c->primitive);
    if (c->source) dnnl_memory_destroy(c->source);
    if (c->weights) dnnl_memory_destroy(c->weights);
    if (c->bias) dnnl_memory_destroy(c->bias);
    if (c->destination) dnnl_memory_destroy(c->destination);
    if (c->stream) dnnl_stream_destroy(c->stream);
    if (c->engine) dnnl_engine_destroy(c->engine);
    free(c);
}
