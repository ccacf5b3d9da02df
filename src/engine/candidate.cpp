// emgmm engine: one whole candidate fit (see candidate.h).
#include "candidate.h"

#include <algorithm>
#include <memory>
#include <numeric>

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

// `starts`: the statistics of each start on `xs` (the screening rows, or all
// of x when `sampled` is false).
CandidateResult fit_starts(DataMap x, DataMap xs, bool sampled, const ModelInfo& model,
                           const std::vector<SuffStats>& starts, const std::vector<int>& groups,
                           const CandidateControl& control, const CandidateHooks& hooks) {
  CandidateResult out;
  const int n_starts = static_cast<int>(starts.size());
  const int max_iter = control.em.max_iter;
  const bool single = n_starts == 1 && !sampled;
  const int screen_limit = single ? max_iter : std::min(control.screen_iter, max_iter);
  // progress is reported for the runs that are continued, not the screening
  Hooks quiet = hooks.em;
  quiet.progress = nullptr;
  const Hooks& screening = single ? hooks.em : quiet;

  std::vector<RunPtr> runs;
  runs.reserve(starts.size());
  auto interrupted = [&](const EmResult& r) {
    if (r.status != Status::interrupted) return false;
    out.status = Status::interrupted;
    return true;
  };
  for (int i = 0; i < n_starts; ++i) {
    runs.push_back(std::make_unique<EmRun>(xs, model, starts[static_cast<std::size_t>(i)],
                                           control.em, screening));
    const EmResult& r = runs.back()->run(screen_limit);
    if (interrupted(r)) return out;
    if (hooks.screened) hooks.screened(i, r);
  }

  // sound screened starts, best first (ties: the earlier start)
  std::vector<int> order;
  for (int i = 0; i < n_starts; ++i) {
    if (runs[static_cast<std::size_t>(i)]->result().sound()) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return runs[static_cast<std::size_t>(a)]->result().loglik >
           runs[static_cast<std::size_t>(b)]->result().loglik;
  });

  Best best;
  // Continues start i to convergence (on all rows when screened on a
  // sample); true when it stays sound.
  auto go_on = [&](int i) {
    EmRun& run = *runs[static_cast<std::size_t>(i)];
    run.set_hooks(hooks.em);
    if (sampled) run.move_to(x);
    const EmResult& r = run.run(max_iter);
    best.consider(i, runs);
    return r.sound();
  };
  std::vector<bool> continued(starts.size(), false);
  if (sampled) {
    for (const int i : order) {
      continued[static_cast<std::size_t>(i)] = true;
      const bool ok = go_on(i);
      if (interrupted(runs[static_cast<std::size_t>(i)]->result())) return out;
      if (ok) break;
    }
  } else {
    // the best start of each group, in the order the groups first appear
    std::vector<int> done_groups;
    for (int i = 0; i < n_starts; ++i) {
      const int g = groups[static_cast<std::size_t>(i)];
      if (std::find(done_groups.begin(), done_groups.end(), g) != done_groups.end()) continue;
      done_groups.push_back(g);
      for (const int j : order) {
        if (groups[static_cast<std::size_t>(j)] != g) continue;
        continued[static_cast<std::size_t>(j)] = true;
        const bool ok = go_on(j);
        if (interrupted(runs[static_cast<std::size_t>(j)]->result())) return out;
        if (ok) break;
      }
    }
  }
  if (best.sound < 0) {
    // every start collapsed or failed: the best degenerate one, continued
    // unless it was stopped when it collapsed
    int deg = -1;
    for (int i = 0; i < n_starts; ++i) {
      const EmResult& r = runs[static_cast<std::size_t>(i)]->result();
      if (!continued[static_cast<std::size_t>(i)] && r.has_fit() &&
          (deg < 0 || r.loglik > runs[static_cast<std::size_t>(deg)]->result().loglik)) {
        deg = i;
      }
    }
    if (deg >= 0 && (sampled || runs[static_cast<std::size_t>(deg)]->resumable())) {
      go_on(deg);
      if (interrupted(runs[static_cast<std::size_t>(deg)]->result())) return out;
    }
    if (deg >= 0) best.consider(deg, runs);
  }
  for (const RunPtr& r : runs) {
    if (!r->result().has_fit()) ++out.failed_starts;
  }
  const int chosen = best.sound >= 0 ? best.sound : best.degenerate;
  if (chosen < 0) {
    const EmResult& first = runs[0]->result();
    out.status = first.status;
    out.component = first.component;
    return out;
  }
  out.start = chosen;
  out.fit = runs[static_cast<std::size_t>(chosen)]->result();
  out.status = out.fit.status;
  out.component = out.fit.component;
  return out;
}

}  // namespace

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
  return fit_starts(x, xs, sampled, model, starts, groups, control, hooks);
}

CandidateResult fit_candidate(DataMap x, const ModelInfo& model, int k, DataMap weights,
                              const CandidateControl& control, const CandidateHooks& hooks) {
  std::vector<SuffStats> starts(1);
  stats_from_weights(x, weights, k, model.scatter, control.em.threads, starts[0]);
  return fit_starts(x, x, false, model, starts, {0}, control, hooks);
}

}  // namespace emgmm
