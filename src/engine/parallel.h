// emgmm engine: the one place that runs code on several threads.
//
// Work is cut into blocks (of rows, or of anything else), and the blocks into
// at most kMaxParts contiguous parts.  A part is the unit a thread claims:
// threads take the next unclaimed part until none is left, so a thread that
// the operating system holds back (another process busy on its core) is
// simply given fewer parts, and the calling thread never waits for a thread
// that has not started.  The helper threads sleep between jobs (no spinning),
// so they cost nothing while idle.  Whatever is accumulated per part and
// merged in part order is therefore the same for every thread count and
// every schedule: results are reproducible bit for bit.
//
// The helper threads live in one pool, started on first use.  After fork()
// (R's mclapply()) the child has none of them: a forked child runs every
// loop on its one thread.
#ifndef EMGMM_ENGINE_PARALLEL_H
#define EMGMM_ENGINE_PARALLEL_H

#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <pthread.h>
#endif

namespace emgmm {

// Most parts a job is cut into: the most threads a job can use, and the
// number of partial results merged.
constexpr Eigen::Index kMaxParts = 64;

inline Eigen::Index part_count(Eigen::Index nblocks) {
  return std::max<Eigen::Index>(1, std::min(nblocks, kMaxParts));
}

// Blocks [first, end) of part p of `nblocks` blocks cut into `parts` parts.
inline Eigen::Index part_begin(Eigen::Index p, Eigen::Index parts, Eigen::Index nblocks) {
  return p * nblocks / parts;
}

// Whether this process is a child forked after the engine first ran (R's
// mclapply()): the pool's threads do not exist in a child, so it runs every
// loop on its one thread.  The flag is set by a pthread_atfork() handler
// registered on first use.
inline std::atomic<bool>& forked_child() {
  static std::atomic<bool> flag(false);
  return flag;
}

inline void watch_for_fork() {
#ifndef _WIN32
  static const bool registered =
      pthread_atfork(nullptr, nullptr, []() { forked_child().store(true); }) == 0;
  (void)registered;
#endif
}

// Processors of the machine (at least 1).
inline int hardware_threads() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Number of threads to use for `nblocks` blocks: at least 1, at most the
// request, the parts and the processors; 1 in a forked child.
inline int effective_threads(int requested, Eigen::Index nblocks) {
  watch_for_fork();
  if (forked_child().load()) return 1;
  long t = std::max(1, requested);
  t = std::min<long>(t, hardware_threads());
  t = std::min<long>(t, part_count(nblocks));
  return static_cast<int>(t);
}

namespace parallel_detail {

// The thread's number within the job it works on: 0 for the thread that
// entered the engine, 1.. for the pool's helpers.
inline int& thread_number() {
  static thread_local int number = 0;
  return number;
}

// Whether the thread is inside a job's body (a nested job runs serially).
inline bool& in_job() {
  static thread_local bool inside = false;
  return inside;
}

using PartBody = std::function<void(int thread, Eigen::Index part)>;

// One job: parts claimed through an atomic counter.  A helper that wakes
// after every part was claimed finds none and touches nothing else: the body
// (on the caller's stack) is only called for a claimed part, and the caller
// returns only once every claimed part is done.
struct Job {
  Job(Eigen::Index n, int t, const PartBody& b) : parts(n), threads(t), body(&b) {}

  void work(int thread) {
    in_job() = true;
    for (;;) {
      const Eigen::Index p = next.fetch_add(1);
      if (p >= parts) break;
      if (!failed.load()) {
        try {
          (*body)(thread, p);
        } catch (...) {
          std::lock_guard<std::mutex> lock(mutex);
          if (!failed.exchange(true)) error = std::current_exception();
        }
      }
      if (done.fetch_add(1) + 1 == parts) {
        std::lock_guard<std::mutex> lock(mutex);
        finished.notify_all();
      }
    }
    in_job() = false;
  }

  void wait() {
    std::unique_lock<std::mutex> lock(mutex);
    finished.wait(lock, [this]() { return done.load() == parts; });
  }

  const Eigen::Index parts;
  const int threads;
  const PartBody* body;
  std::atomic<Eigen::Index> next{0};
  std::atomic<Eigen::Index> done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex mutex;
  std::condition_variable finished;
};

// The helper threads.  They wait on a condition variable for a job; a job
// names how many threads may work on it, and helpers numbered beyond that go
// back to sleep.
class Pool {
 public:
  static Pool& get() {
    // never destroyed: a forked child, or a process ending while helpers
    // sleep, must not join threads; unload() stops them when the library is
    // unloaded
    static Pool* pool = new Pool();
    return *pool;
  }

  void run(Eigen::Index parts, int threads, const PartBody& body) {
    auto job = std::make_shared<Job>(parts, threads, body);
    start(threads - 1);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = job;
      ++generation_;
    }
    wake_.notify_all();
    job->work(0);
    job->wait();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (job_ == job) job_.reset();
    }
    if (job->error) std::rethrow_exception(job->error);
  }

  // Stops and joins the helpers (the library is being unloaded).
  void unload() {
    if (forked_child().load()) return;  // a child has no helpers to join
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : helpers_) t.join();
    helpers_.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = false;
  }

 private:
  Pool() = default;

  void start(int helpers) {
    while (static_cast<int>(helpers_.size()) < helpers) {
      const int number = static_cast<int>(helpers_.size()) + 1;
      helpers_.emplace_back([this, number]() { serve(number); });
    }
  }

  void serve(int number) {
    thread_number() = number;
    std::uint64_t seen = 0;
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&]() { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        job = job_;
      }
      if (job && number < job->threads) job->work(number);
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::thread> helpers_;
  std::shared_ptr<Job> job_;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
};

}  // namespace parallel_detail

// Whether the calling thread is the one that entered the engine: the only
// thread on which the caller's hooks (R's interrupt check) may run.
inline bool on_calling_thread() { return parallel_detail::thread_number() == 0; }

// Stops the pool's threads (when the library is unloaded).
inline void stop_threads() { parallel_detail::Pool::get().unload(); }

// Calls body(thread, part, block) for block = 0 .. nblocks - 1, where the
// blocks of one part (part_count(nblocks) parts, part_begin() cuts them) are
// done in order by one thread, and thread < threads indexes per-thread
// scratch space.  The first exception a body throws is rethrown here, once
// every claimed part is done.
template <class Body>
void parallel_blocks(Eigen::Index nblocks, int threads, Body body) {
  const Eigen::Index parts = part_count(nblocks);
  const auto run_part = [&](int thread, Eigen::Index p) {
    const Eigen::Index end = part_begin(p + 1, parts, nblocks);
    for (Eigen::Index b = part_begin(p, parts, nblocks); b < end; ++b) body(thread, p, b);
  };
  if (threads <= 1 || parts <= 1 || forked_child().load() || parallel_detail::in_job()) {
    for (Eigen::Index p = 0; p < parts && nblocks > 0; ++p) run_part(0, p);
    return;
  }
  const parallel_detail::PartBody part_body = run_part;
  parallel_detail::Pool::get().run(parts, threads, part_body);
}

}  // namespace emgmm

#endif
