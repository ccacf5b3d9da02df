// emgmm engine: the M-step driver and the EM loop.
#ifndef EMGMM_ENGINE_EM_H
#define EMGMM_ENGINE_EM_H

#include <limits>

#include "estep.h"
#include "models.h"

namespace emgmm {

struct EmControl {
  int max_iter = 1000;
  double tol = 1e-8;      // on |l_t - l_{t-1}| / (1 + |l_t|), as mclust's me()
  // The ridge R (d x d, symmetric positive semi-definite, or empty): added to
  // each component's unconstrained covariance estimate W_k / n_k.
  Matrix reg;
  double inner_tol = 1.4901161193847656e-08;  // iterative M-steps (mclust's tol[2])
  long inner_max_iter = 1000;  // mclust has no limit; 1000 keeps bad cases bounded
  int threads = 1;
  // Each variable's variance (d): the units in which ScatterNeed::eigenvalues
  // is judged.
  Vector scale;

  bool ridge() const { return reg.size() > 0 && reg.diagonal().maxCoeff() > 0.0; }
};

// One E-step over rows held elsewhere (in other processes), made by the
// caller: the statistics of every row at `p` (shifted by p.means, as
// estep_stats() gives them), summed in an order that does not depend on
// where the rows are held.  `iteration` is the run's iteration (0: the pass
// that carries a run over to these rows).  Returns false when the pass
// could not be made (a worker failed, or the caller stopped); the run then
// ends as interrupted, and the caller reports why.
using RemotePass = std::function<bool(const Params& p, int iteration, SuffStats& out)>;

// The rows an EM run passes over: in this process, or held elsewhere and
// reached through a RemotePass.
// Rows in this process may carry weights (one per row, frequency weights)
// and missing values (then grouped by pattern, in `missing`).
class RowSet {
 public:
  explicit RowSet(DataMap x, const double* weights = nullptr, const MissingRows* missing = nullptr)
      : data_(x.data()), rows_(x.rows()), cols_(x.cols()), weights_(weights), missing_(missing) {}
  explicit RowSet(const RemotePass* pass) : remote_(pass) {}

  bool is_remote() const { return remote_ != nullptr; }
  DataMap local() const { return DataMap(data_, rows_, cols_); }
  const double* weights() const { return weights_; }
  const MissingRows* missing() const { return missing_; }
  const RemotePass& remote() const { return *remote_; }

 private:
  const double* data_ = nullptr;  // column-major rows_ x cols_
  Eigen::Index rows_ = 0, cols_ = 0;
  const double* weights_ = nullptr;
  const MissingRows* missing_ = nullptr;
  const RemotePass* remote_ = nullptr;
};

struct EmResult {
  // Status::ok (converged), Status::max_iter, Status::collapsed (stopped
  // because a component is held up by the ridge alone), or the failure
  // (empty_component, singular, not_finite, interrupted).
  Status status = Status::ok;
  int component = -1;       // 0-based component behind a failure or a collapse
  int collapsed = -1;       // with a ridge: a component held up by it alone (-1: none)
  int iterations = 0;       // number of M-steps taken on the current data
  bool converged = false;
  double loglik = 0.0;      // log-likelihood at `params`
  double sum_log_max = 0.0; // sum of log(largest posterior) at `params` (ICL)
  std::vector<double> trace;  // log-likelihood after each iteration
  // The last accepted iterate (also after a failure: the iterate before it).
  Params params;

  // A fit that can be returned: it converged or ran out of iterations, or
  // it was stopped when a component collapsed onto the ridge.
  bool has_fit() const {
    return (status == Status::ok || status == Status::max_iter || status == Status::collapsed) &&
           !trace.empty();
  }
  // A fit whose every component is supported by data.
  bool sound() const { return has_fit() && status != Status::collapsed && collapsed < 0; }
};

// M-step: parameters of `model` from sufficient statistics.  The ridge reg
// (a d x d matrix R, or empty) is added to each component's unconstrained
// estimate W_k / n_k before the model's M-step, so it is exactly "added to
// the covariance" for VVV and EEE, its diagonal for VVI, its mean variance
// for the spherical models, and never breaks a model's constraints.
// Returns Status::empty_component (with its index in `bad`) when a
// component's weight makes it empty, and Status::singular when a
// component's scatter without the ridge does not meet the model's
// ScatterNeed (`scale`: the variables' variances); both as mclust does.
// The covariances written are exactly symmetric.
Status mstep(const ModelInfo& model, const SuffStats& st, const Matrix& reg, const Vector& scale,
             Params& out, int& bad, MStepState* state = nullptr);

// The collapse test: the first component (0-based) held up by the ridge, or
// -1.  A component is held up by the ridge R when, without it, the M-step
// from `used` would fail (its scatter does not meet the model's need) or
// would give it a covariance C that is not usable (degenerate.h), or that is
// below the ridge in some direction (C - R not positive semi-definite,
// above_ridge() in degenerate.h): the ridge, not the data, then decides its
// shape.  A component that is thin where the ridge is thinner still (the
// default ridge is a small multiple of the data's own covariance) is sound.
// `state` is the state of the iterative M-steps (copied, not changed).
int collapsed_component(const ModelInfo& model, const SuffStats& used, const Matrix& reg,
                        const Vector& scale, MStepState state);

// EM from the statistics of a starting point: M-step, E-step, until the
// relative change of the log-likelihood is at most tol (mclust's rule), a
// component fails, or max_iter M-steps have been taken.  With a ridge the
// M-step is not an exact likelihood step, and neither is the M-step of a
// model whose M-step iterates to a tolerance (VEI, VEE, EVE, VVE, VEV): the
// log-likelihood can fall a little along the way.  With a ridge the run
// returns the iterate of highest log-likelihood it met (a converging step
// that lowered it is not taken); without one, as mclust's me(), the last.  With a ridge, a component whose scatter stops meeting the
// model's need is held up by the ridge alone: the run stops there
// (Status::collapsed) instead of letting the inner iterations of the M-step
// crawl on it.  When the run ends with a fit and a ridge, the collapse test
// fills EmResult::collapsed.
//
// A run that reached its iteration limit goes on exactly where it stopped
// when run() is called again with a larger limit: the statistics, the
// previous log-likelihood and the state of the iterative M-steps are kept,
// so screening a start for 20 iterations and continuing it gives the fit of
// one uninterrupted run.
class EmRun {
 public:
  EmRun(const RowSet& rows, const ModelInfo& model, const SuffStats& start,
        const EmControl& control, const Hooks& hooks);

  // Runs until convergence, a failure, or `limit` iterations on the current
  // data in all.
  const EmResult& run(int limit);

  // Goes on with other data (all the rows, after a start was screened on a
  // sample of them): one E-step on `rows` at the current parameters, then
  // the iterations and the trace start again from there, with the state of
  // the iterative M-steps kept.  Only after run() left a fit.
  void move_to(const RowSet& rows);

  // Replaces the hooks (the continued runs report progress, screening runs
  // do not).
  void set_hooks(const Hooks& hooks) {
    hooks_ = hooks;
    state_.interrupted = hooks.interrupted;
  }

  const EmResult& result() const { return res_; }
  // Whether run() can take it further (it stopped at its iteration limit).
  bool resumable() const { return res_.status == Status::max_iter; }
  // Whether its rows are held elsewhere (its passes must be made on the
  // calling thread).
  bool remote() const { return rows_.is_remote(); }

 private:
  const EmResult& finish(Status s, bool converged);
  void take_best();  // with a ridge: the best iterate into res_
  // One E-step at `p` (whose components are in comp_) into st_.
  bool pass(const Params& p, int iteration);

  RowSet rows_;  // the data EM runs on
  const ModelInfo& model_;
  const EmControl& control_;
  Hooks hooks_;
  SuffStats st_;        // statistics of the last E-step (the next M-step's input)
  SuffStats used_;      // with a ridge: the statistics behind the current iterate
  // With a ridge, the iterate of highest log-likelihood so far and the
  // statistics behind it (for the collapse test).
  Params best_params_;
  double best_loglik_ = -std::numeric_limits<double>::infinity();
  double best_sum_log_max_ = 0.0;
  SuffStats accepted_;
  MStepState state_;
  Components comp_;
  EStepWorkspace work_;
  double previous_;
  EmResult res_;
};

// One uninterrupted EM run (EmRun(...).run(control.max_iter)).
EmResult run_em(const RowSet& rows, const ModelInfo& model, const SuffStats& start,
                const EmControl& control, const Hooks& hooks);
inline EmResult run_em(DataMap x, const ModelInfo& model, const SuffStats& start,
                       const EmControl& control, const Hooks& hooks) {
  return run_em(RowSet(x), model, start, control, hooks);
}

}  // namespace emgmm

#endif
