// emgmm engine: basic types shared by every part of the EM engine.
// The engine includes only Eigen and the standard library; it knows nothing of R.
#ifndef EMGMM_ENGINE_TYPES_H
#define EMGMM_ENGINE_TYPES_H

#include <Eigen/Dense>
#include <functional>
#include <vector>

namespace emgmm {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using IntVector = Eigen::VectorXi;
// Data arrive from R as a column-major n x d matrix; the engine never copies them.
using DataMap = Eigen::Map<const Matrix>;

// Outcome of a fit or of one step of it.  The engine never throws across its
// interface: R reads these by name (status_name()) and turns them into
// classed warnings and errors.
enum class Status {
  ok,               // converged, or the step succeeded
  max_iter,         // iteration limit reached before convergence
  empty_component,  // a component's total weight fell to (almost) zero
  singular,         // a covariance, or a scatter its M-step needs, is not usable
  collapsed,        // with a ridge: a component is held up by the ridge alone
  not_finite,       // the log-likelihood stopped being finite
  interrupted       // the caller's interrupt hook asked to stop
};

// The name of a status, as R sees it: "ok", "max_iter", "empty", "singular",
// "collapsed", "not_finite", "interrupted".
const char* status_name(Status s);

// Mixture parameters: proportions (k), means (d x k, one column per component)
// and one d x d covariance matrix per component (also for shared models, where
// all k matrices are equal).
struct Params {
  Vector proportions;
  Matrix means;
  std::vector<Matrix> covariances;

  int k() const { return static_cast<int>(proportions.size()); }
  int d() const { return static_cast<int>(means.rows()); }
};

// How much of the weighted scatter a covariance model needs.
enum class ScatterKind { full, diagonal };

// Additive sufficient statistics of one E-step (or of a starting partition).
// Per component k: weight n_k, weighted sum of (x - shift_k) and weighted
// scatter of (x - shift_k), plus the log-likelihood.  Statistics computed on
// disjoint sets of rows (threads, chunks, machines) with the same shifts are
// merged by adding them.  The shift is the component mean used in the E-step,
// which keeps the scatter free of catastrophic cancellation.
struct SuffStats {
  Vector weight;               // k
  Matrix sum;                  // d x k, sum_i w_ik (x_i - shift_k)
  std::vector<Matrix> scatter; // k of d x d, sum_i w_ik (x_i - shift_k)(x_i - shift_k)'
  Matrix shift;                // d x k
  double loglik = 0.0;
  double sum_log_max = 0.0;    // sum over rows of log(largest posterior), for ICL
  ScatterKind kind = ScatterKind::full;

  void reset(int d, int k, const Matrix& shifts, ScatterKind what);
  void add(const SuffStats& other);
};

// The caller's interrupt check: true = stop.  The engine asks it only on the
// thread that entered the engine, between passes over the data, as often as
// it likes (the caller keeps it cheap); once it has said stop, the engine
// returns what it has, with Status::interrupted where there is a status.
using Interrupt = std::function<bool()>;

// Hooks the caller supplies: an interrupt check and a progress callback.
// Both may be empty.
struct Hooks {
  Interrupt interrupted;                                   // true = stop
  std::function<void(int iter, double loglik)> progress;   // verbose output
};

// A uniform (0, 1) random source, supplied by the caller so that the engine
// stays deterministic given its inputs (in R: R's own generator).
using UniformSource = std::function<double()>;

}  // namespace emgmm

#endif
