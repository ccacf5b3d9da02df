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
  double inner_tol = 1.4901161193847656e-08;  // iterative M-steps (mclust's tol[2])
  long inner_max_iter = 1000;  // mclust has no limit; 1000 keeps bad cases bounded
  int threads = 1;
  // Each variable's variance (d, or empty): the units in which a model's
  // ScatterNeed is judged.  Only used without a ridge.
  Vector scale;
};

struct EmResult {
  Status status = Status::ok;
  int component = -1;       // 0-based component behind an empty/singular status
  int iterations = 0;       // number of M-steps taken
  bool converged = false;
  double loglik = 0.0;      // log-likelihood at `params`
  double sum_log_max = 0.0; // sum of log(largest posterior) at `params` (ICL)
  std::vector<double> trace;  // log-likelihood after each iteration
  Params params;
  // With a ridge: the covariances of `params` computed without it (empty
  // otherwise).  A component that is singular here is held up by the ridge.
  std::vector<Matrix> unregularised;
};

// M-step: parameters of `model` from sufficient statistics.  The ridge reg
// (one entry per variable, or empty) is added to the diagonal of each
// component's unconstrained estimate W_k / n_k before the model's M-step, so
// it is exactly "added to the covariance" for VVV, EEE and VVI, is the mean
// ridge for the spherical models, and never breaks a model's constraints.
// Returns
// Status::empty_component (with its index) when a component's weight is at or
// below sqrt(eps), as mclust does, and Status::singular when `scale` is given
// and a component's scatter does not meet the model's ScatterNeed.
Status mstep(const ModelInfo& model, const SuffStats& st, const Vector& reg, Params& out,
             int& bad, MStepState* state = nullptr, const Vector* scale = nullptr);

// EM from the statistics of a starting point: M-step, E-step, until the
// relative change of the log-likelihood is at most tol (mclust's rule) or
// max_iter M-steps have been taken.  With a ridge the M-step is not an exact
// likelihood step: when the converging step lowered the log-likelihood, the
// previous iterate is kept, so the trace does not end on a decrease.  The
// returned log-likelihood belongs to the returned parameters.
EmResult run_em(DataMap x, const ModelInfo& model, const SuffStats& start,
                const EmControl& control, const Hooks& hooks);

}  // namespace emgmm

#endif
