#include "ThreadScratch.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct {
    void *block;
    size_t capacity;
} nnk_scratch_slot;

static pthread_key_t slot_key;
static pthread_once_t slot_key_once = PTHREAD_ONCE_INIT;

// Runs at thread exit for a thread that kept a block.
static void free_slot(void *raw) {
    nnk_scratch_slot *slot = raw;
    free(slot->block);
    free(slot);
}

static void make_slot_key(void) { pthread_key_create(&slot_key, free_slot); }

void *nnk_scratch_take(size_t bytes, size_t *capacity) {
    pthread_once(&slot_key_once, make_slot_key);
    nnk_scratch_slot *slot = pthread_getspecific(slot_key);
    if (slot && slot->block && slot->capacity >= bytes) {
        void *block = slot->block;
        *capacity = slot->capacity;
        slot->block = NULL;
        slot->capacity = 0;
        return block;
    }
    size_t size = (bytes < 64 ? 64 : bytes + 63) / 64 * 64;
    void *block = NULL;
    if (posix_memalign(&block, 64, size) != 0) return NULL;
    *capacity = size;
    return block;
}

void nnk_scratch_give_back(void *block, size_t capacity, size_t keep_limit) {
    if (!block) return;
    if (capacity > keep_limit) {
        free(block);
        return;
    }
    pthread_once(&slot_key_once, make_slot_key);
    nnk_scratch_slot *slot = pthread_getspecific(slot_key);
    if (!slot) {
        slot = calloc(1, sizeof *slot);
        if (!slot || pthread_setspecific(slot_key, slot) != 0) {
            free(slot);
            free(block);
            return;
        }
    }
    if (slot->capacity >= capacity) {
        free(block);
        return;
    }
    free(slot->block);
    slot->block = block;
    slot->capacity = capacity;
}
