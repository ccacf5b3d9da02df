// emgmm engine: the M-step driver and the EM loop.
#ifndef EMGMM_ENGINE_EM_H
#define EMGMM_ENGINE_EM_H

#include "estep.h"
#include "models.h"

namespace emgmm {

struct EmControl {
  int max_iter = 1000;
  double tol = 1e-8;      // on |l_t - l_{t-1}| / (1 + |l_t|), as mclust's me()
  Vector reg;             // ridge added to the diagonal of every covariance (d, or empty)
  int threads = 1;
};

struct EmResult {
  Status status = Status::ok;
  int component = -1;       // 0-based component behind an empty/singular status
  int iterations = 0;       // number of M-steps taken
  bool converged = false;
  double loglik = 0.0;      // log-likelihood at `params`
  std::vector<double> trace;  // log-likelihood after each iteration
  Params params;
};

// M-step: parameters of `model` from sufficient statistics, with the ridge
// reg (one entry per variable, or empty) added by the model.  Returns
// Status::empty_component (with its index) when a component's weight is at or
// below sqrt(eps), as mclust does.
Status mstep(const ModelInfo& model, const SuffStats& st, const Vector& reg, Params& out,
             int& bad);

// EM from the statistics of a starting point: M-step, E-step, until the
// relative change of the log-likelihood is at most tol (mclust's rule) or
// max_iter M-steps have been taken.  With a ridge, the M-step is not an exact
// likelihood step, so EM also stops (converged) at the first iteration that
// would lower the log-likelihood, keeping the previous iterate: the trace
// never decreases.  The returned log-likelihood belongs to the returned
// parameters.
EmResult run_em(DataMap x, const ModelInfo& model, const SuffStats& start,
                const EmControl& control, const Hooks& hooks);

}  // namespace emgmm

#endif
