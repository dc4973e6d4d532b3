// The per-thread product precision that `Kernels.withProductPrecision` sets around a block of work.
// A thread-local, not a process-wide variable, so one thread's bf16 run never changes the products
// of another thread (the test suites run in parallel in one process).
#include "CBF16Kernels.h"

static _Thread_local int thread_product_precision = -1;

int zoo_thread_product_precision(void) { return thread_product_precision; }

void zoo_set_thread_product_precision(int value) { thread_product_precision = value; }
