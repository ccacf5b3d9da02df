// emgmm engine: the one place that talks to OpenMP.
//
// parallel_blocks() hands contiguous runs of blocks to threads (static
// schedule), so thread t always sees the same blocks for a given thread count
// and per-thread partial sums merged in thread order are deterministic.
// Every region names its thread count; nothing calls omp_set_num_threads().
#ifndef EMGMM_ENGINE_PARALLEL_H
#define EMGMM_ENGINE_PARALLEL_H

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <exception>

#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(_OPENMP) && !defined(_WIN32)
#include <pthread.h>
#endif

namespace emgmm {

// Whether this process is a child forked after the engine first ran (R's
// mclapply()): OpenMP's thread pool does not survive fork(), so a child runs
// every loop on its one thread, without entering a parallel region.  The
// flag is set by a pthread_atfork() handler registered on first use.
inline std::atomic<bool>& forked_child() {
  static std::atomic<bool> flag(false);
  return flag;
}

inline void watch_for_fork() {
#if defined(_OPENMP) && !defined(_WIN32)
  static const bool registered =
      pthread_atfork(nullptr, nullptr, []() { forked_child().store(true); }) == 0;
  (void)registered;
#endif
}

// Number of threads to use for `units` units of work: at least 1, at most the
// request, the number of units and the processors, and within
// OMP_THREAD_LIMIT; 1 in a forked child.
inline int effective_threads(int requested, Eigen::Index units) {
  watch_for_fork();
  if (forked_child().load()) return 1;
  long t = std::max(1, requested);
#ifdef _OPENMP
  t = std::min<long>(t, omp_get_thread_limit());
  t = std::min<long>(t, omp_get_num_procs());
#else
  t = 1;
#endif
  t = std::min<long>(t, std::max<Eigen::Index>(units, 1));
  return static_cast<int>(t);
}

// Whether the calling thread is the one that entered the engine (thread 0 of
// a parallel region, or any code outside one): the only thread on which the
// caller's hooks (R's interrupt check) may run.
inline bool on_calling_thread() {
#ifdef _OPENMP
  return omp_get_thread_num() == 0;
#else
  return true;
#endif
}

// Calls body(thread, block) for block = 0 .. nblocks - 1.  No exception leaves
// the parallel region: the first one is caught and rethrown afterwards.
template <class Body>
void parallel_blocks(Eigen::Index nblocks, int threads, Body body) {
  if (threads <= 1 || forked_child().load()) {
    // one thread: no parallel region at all (as a forked child needs)
    for (Eigen::Index b = 0; b < nblocks; ++b) body(0, b);
    return;
  }
  std::exception_ptr error = nullptr;
  std::atomic<bool> failed(false);
  (void)threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads)
#endif
  for (Eigen::Index b = 0; b < nblocks; ++b) {
    if (failed.load()) continue;
    int t = 0;
#ifdef _OPENMP
    t = omp_get_thread_num();
#endif
    try {
      body(t, b);
    } catch (...) {
#ifdef _OPENMP
#pragma omp critical(emgmm_error)
#endif
      {
        if (!failed.exchange(true)) error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace emgmm

#endif
