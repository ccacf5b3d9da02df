// emgmm engine: one whole candidate fit, for one number of components and
// one covariance model.
//
// Its starts (several k-means++ partitions, the hierarchical one, or the
// user's) are screened by short EM runs on the screening rows; the best
// start of each group (one group per kind of start) is continued to
// convergence in memory, with the state of its iterative M-steps, so that
// the continued fit is the fit of one uninterrupted run; the best of those
// stands.  When the screening rows are a sample of the data, the best
// screened start is instead carried over to all the rows and continued
// there.  Fits whose every component is supported by data are preferred; a
// fit in which a component is held up by the ridge alone (collapsed) is
// returned only when every start collapsed, and is not continued.  The
// random choices (the starts, the screening rows) are the caller's.
#ifndef EMGMM_ENGINE_CANDIDATE_H
#define EMGMM_ENGINE_CANDIDATE_H

#include <functional>

#include "em.h"

namespace emgmm {

struct CandidateControl {
  EmControl em;
  // Iterations each of several starts runs before only the best are continued.
  int screen_iter = 20;
};

struct CandidateHooks {
  Hooks em;  // interrupt check; progress of the runs that are continued
  // Called after each start's screening run (0-based start).
  std::function<void(int start, const EmResult& screened)> screened;
};

struct CandidateResult {
  // Of the returned fit: Status::ok (converged), Status::max_iter or
  // Status::collapsed; otherwise no start gave a fit and this is the failure
  // of the first start (with `component`), or Status::interrupted.
  Status status = Status::ok;
  int component = -1;
  int start = -1;      // the start the fit came from (0-based; -1: none)
  EmResult fit;        // fit.collapsed >= 0: held up by the ridge (degenerate)
  int failed_starts = 0;  // starts that ended without a fit (singular, empty, ...)
};

// The general form: the starts given by their statistics, one group per
// start.  Runs begin on `xs`: the screening rows when `sampled` (the best
// screened start is then carried over to `x`, all the rows), else all the
// rows themselves (xs is x).  Either may be held elsewhere (RowSet::remote):
// runs on remote rows go one after the other, on the calling thread.
CandidateResult fit_candidate(const RowSet& x, const RowSet& xs, bool sampled,
                              const ModelInfo& model, int k, const std::vector<SuffStats>& starts,
                              const std::vector<int>& groups, const CandidateControl& control,
                              const CandidateHooks& hooks);

// Starts given as labels (0-based, negative: the row is not in the start),
// one vector per start over the screening rows, with a group per start.
// `rows` are the screening rows (0-based, into x); empty means all rows.
CandidateResult fit_candidate(DataMap x, const ModelInfo& model, int k,
                              const std::vector<IntVector>& labels, const std::vector<int>& groups,
                              const std::vector<Eigen::Index>& rows,
                              const CandidateControl& control, const CandidateHooks& hooks);

// One start given as an n x k matrix of weights (a posterior matrix).
CandidateResult fit_candidate(DataMap x, const ModelInfo& model, int k, DataMap weights,
                              const CandidateControl& control, const CandidateHooks& hooks);

}  // namespace emgmm

#endif
