// emgmm engine: one whole candidate fit (see candidate.h).
#include "candidate.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "parallel.h"

namespace emgmm {

namespace {

using RunPtr = std::unique_ptr<EmRun>;

// The best fit found so far: sound fits first, then degenerate ones.
struct Best {
  int sound = -1;
  int degenerate = -1;

  void consider(int i, const std::vector<RunPtr>& runs) {
    const EmResult& r = runs[static_cast<std::size_t>(i)]->result();
    if (!r.has_fit()) return;
    int& slot = r.sound() ? sound : degenerate;
    if (slot < 0 || r.loglik > runs[static_cast<std::size_t>(slot)]->result().loglik) slot = i;
  }
};

// Runs a set of EM runs to an iteration limit: side by side on the threads
// (each run on one thread) when the data are small enough for one block of
// the E-step, otherwise one after the other, each on every thread.  Runs are
// independent and each is deterministic, so the results do not depend on
// which thread ran what.  Only the calling thread asks the caller's interrupt
// hook; the others see its answer through a flag.
class RunSet {
 public:
  RunSet(const RowSet& begin, int k, const CandidateControl& control, const CandidateHooks& hooks)
      : control_(control.em), single_(control.em), hooks_(hooks) {
    single_.threads = 1;
    // remote passes are made by the caller, on its thread alone
    across_ = control.em.threads > 1 && !begin.is_remote() &&
              begin.local().rows() <= block_rows(static_cast<int>(begin.local().cols()), k);
    quiet_.interrupted = [this]() {
      if (stop_.load()) return true;
      if (on_calling_thread() && hooks_.em.interrupted && hooks_.em.interrupted()) {
        stop_.store(true);
      }
      return stop_.load();
    };
    loud_ = quiet_;
    loud_.progress = hooks.em.progress;
  }

  const EmControl& control() const { return across_ ? single_ : control_; }
  const Hooks& hooks() const { return quiet_; }
  bool stopped() const { return stop_.load(); }

  // Runs runs[i] for i in `which` to `limit` iterations, first carried over
  // to `all` (all the rows) when `move` is set.  Progress is reported when
  // `report` is set and the runs go one after the other.  A run stopped by
  // a failed remote pass stops the set, as an interrupt does.
  void run(std::vector<RunPtr>& runs, const std::vector<int>& which, int limit, bool move,
           const RowSet& all, bool report) {
    bool side_by_side = across_ && !move && which.size() > 1;
    for (const int i : which) {
      if (runs[static_cast<std::size_t>(i)]->remote()) side_by_side = false;
    }
    if (side_by_side) {
      parallel_blocks(static_cast<Eigen::Index>(which.size()),
                      effective_threads(control_.threads, static_cast<Eigen::Index>(which.size())),
                      [&](int, Eigen::Index, Eigen::Index w) {
                        runs[static_cast<std::size_t>(which[static_cast<std::size_t>(w)])]->run(limit);
                      });
      return;
    }
    for (const int i : which) {
      EmRun& r = *runs[static_cast<std::size_t>(i)];
      r.set_hooks(report && !across_ ? loud_ : quiet_);
      if (move) r.move_to(all);
      r.run(limit);
      if (r.result().status == Status::interrupted) stop_.store(true);
      if (stopped()) return;
    }
  }

 private:
  const EmControl& control_;
  EmControl single_;
  const CandidateHooks& hooks_;
  bool across_ = false;
  Hooks quiet_, loud_;
  std::atomic<bool> stop_{false};
};

}  // namespace

CandidateResult fit_candidate(const RowSet& x, const RowSet& xs, bool sampled,
                              const ModelInfo& model, int k, const std::vector<SuffStats>& starts,
                              const std::vector<int>& groups, const CandidateControl& control,
                              const CandidateHooks& hooks) {
  CandidateResult out;
  const int n_starts = static_cast<int>(starts.size());
  const int max_iter = control.em.max_iter;
  const bool single = n_starts == 1 && !sampled;
  const int screen_limit = single ? max_iter : std::min(control.screen_iter, max_iter);
  RunSet set(xs, k, control, hooks);

  std::vector<RunPtr> runs;
  runs.reserve(starts.size());
  std::vector<int> all(starts.size());
  for (int i = 0; i < n_starts; ++i) {
    all[static_cast<std::size_t>(i)] = i;
    runs.push_back(std::make_unique<EmRun>(xs, model, starts[static_cast<std::size_t>(i)],
                                           set.control(), set.hooks()));
  }
  set.run(runs, all, screen_limit, false, x, single);
  if (set.stopped()) {
    out.status = Status::interrupted;
    return out;
  }
  if (hooks.screened) {
    for (int i = 0; i < n_starts; ++i) hooks.screened(i, runs[static_cast<std::size_t>(i)]->result());
  }
  auto result = [&](int i) -> const EmResult& { return runs[static_cast<std::size_t>(i)]->result(); };

  // sound screened starts, best first (ties: the earlier start)
  std::vector<int> order;
  for (int i = 0; i < n_starts; ++i) {
    if (result(i).sound()) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return result(a).loglik > result(b).loglik; });

  Best best;
  std::vector<bool> continued(starts.size(), false);
  if (sampled) {
    // the best screened start, carried over to all the rows; the next one if
    // it does not stay sound there
    for (const int i : order) {
      continued[static_cast<std::size_t>(i)] = true;
      set.run(runs, {i}, max_iter, true, x, true);
      if (set.stopped()) break;
      best.consider(i, runs);
      if (result(i).sound()) break;
    }
  } else {
    // the best start of each group (its next best while the one continued
    // does not stay sound), the groups side by side
    std::vector<int> group_ids;
    for (const int g : groups) {
      if (std::find(group_ids.begin(), group_ids.end(), g) == group_ids.end()) group_ids.push_back(g);
    }
    std::vector<std::size_t> next(group_ids.size(), 0);  // position in `order`
    std::vector<bool> settled(group_ids.size(), false);
    for (;;) {
      std::vector<int> wave;
      for (std::size_t g = 0; g < group_ids.size(); ++g) {
        while (!settled[g] && next[g] < order.size() &&
               groups[static_cast<std::size_t>(order[next[g]])] != group_ids[g]) {
          ++next[g];
        }
        if (settled[g] || next[g] >= order.size()) continue;
        wave.push_back(order[next[g]++]);
      }
      if (wave.empty()) break;
      set.run(runs, wave, max_iter, false, x, true);
      if (set.stopped()) break;
      for (const int i : wave) {
        continued[static_cast<std::size_t>(i)] = true;
        best.consider(i, runs);
        if (result(i).sound()) {
          const int g = groups[static_cast<std::size_t>(i)];
          settled[static_cast<std::size_t>(
              std::find(group_ids.begin(), group_ids.end(), g) - group_ids.begin())] = true;
        }
      }
    }
  }
  if (set.stopped()) {
    out.status = Status::interrupted;
    return out;
  }
  if (best.sound < 0) {
    // every start collapsed or failed: the best degenerate one, continued
    // unless it was stopped when it collapsed
    int deg = -1;
    for (int i = 0; i < n_starts; ++i) {
      if (!continued[static_cast<std::size_t>(i)] && result(i).has_fit() &&
          (deg < 0 || result(i).loglik > result(deg).loglik)) {
        deg = i;
      }
    }
    if (deg >= 0 && (sampled || runs[static_cast<std::size_t>(deg)]->resumable())) {
      set.run(runs, {deg}, max_iter, sampled, x, true);
      if (set.stopped()) {
        out.status = Status::interrupted;
        return out;
      }
    }
    if (deg >= 0) best.consider(deg, runs);
  }
  for (const RunPtr& r : runs) {
    if (!r->result().has_fit()) ++out.failed_starts;
  }
  const int chosen = best.sound >= 0 ? best.sound : best.degenerate;
  if (chosen < 0) {
    out.status = result(0).status;
    out.component = result(0).component;
    return out;
  }
  out.start = chosen;
  out.fit = result(chosen);
  out.status = out.fit.status;
  out.component = out.fit.component;
  return out;
}

CandidateResult fit_candidate(DataMap x, const ModelInfo& model, int k,
                              const std::vector<IntVector>& labels, const std::vector<int>& groups,
                              const std::vector<Eigen::Index>& rows,
                              const CandidateControl& control, const CandidateHooks& hooks) {
  const bool sampled = !rows.empty();
  Matrix sample;
  if (sampled) {
    sample.resize(static_cast<Eigen::Index>(rows.size()), x.cols());
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      for (std::size_t r = 0; r < rows.size(); ++r) {
        sample(static_cast<Eigen::Index>(r), c) = x(rows[r], c);
      }
    }
  }
  const DataMap xs = sampled ? DataMap(sample.data(), sample.rows(), sample.cols()) : x;
  std::vector<SuffStats> starts(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    stats_from_labels(xs, labels[i], k, model.scatter, control.em.threads, starts[i]);
  }
  return fit_candidate(RowSet(x), RowSet(xs), sampled, model, k, starts, groups, control, hooks);
}

CandidateResult fit_candidate(DataMap x, const ModelInfo& model, int k, DataMap weights,
                              const CandidateControl& control, const CandidateHooks& hooks) {
  std::vector<SuffStats> starts(1);
  stats_from_weights(x, weights, k, model.scatter, control.em.threads, starts[0]);
  return fit_candidate(RowSet(x), RowSet(x), false, model, k, starts, {0}, control, hooks);
}

}  // namespace emgmm
