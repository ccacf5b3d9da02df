// emgmm engine: the table of covariance models.
//
// Each model is one row of a table: its mclust name, whether it is the
// univariate form, its constraints in words, which part of the weighted
// scatter its M-step reads, its number of free covariance parameters, its
// covariance M-step and what that M-step needs of the scatter.  Adding a
// model means writing one M-step function in models.cpp and one table row;
// R reads the list of models from this table.
#ifndef EMGMM_ENGINE_MODELS_H
#define EMGMM_ENGINE_MODELS_H

#include <functional>
#include <string>
#include <vector>
#include "degenerate.h"
#include "types.h"

namespace emgmm {

// What an M-step sees: the component weights n_k, the new means and each
// component's weighted scatter about its new mean, W_k = sum_i z_ik (x_i -
// mu_k)(x_i - mu_k)' (only the diagonal is filled for ScatterKind::diagonal).
// The ridge is already in the scatter (n_k reg on the diagonal of W_k), so
// every model regularises through its own parametrisation and keeps its
// constraints.
// State that iterative M-steps (VEI, VEV, EVE, VVE) carry from one EM iteration to the
// next, as mclust does: their inner iterations start where the last ones
// stopped.  `tol` and `max_iter` control the inner iterations (mclust's
// emControl()$tol[2] and itmax[2]).
struct MStepState {
  double tol = 1.4901161193847656e-08;  // sqrt(eps), mclust's default
  long max_iter = 1000;
  Vector shape;   // d, det 1 (VEI, VEV)
  Vector scale;   // k (VEI, VEV)
  Matrix orientation;  // d x d, rows are the shared axes (EVE, VVE)
  Matrix shapes;       // d x k, det 1 per column (EVE, VVE)
  // EVE and VVE: mclust's majorisation-minimisation steps (true), or plane
  // rotations to convergence (false; see models.cpp).
  bool mclust_steps = true;
  // The caller's interrupt check, asked every inner iteration; when it says
  // stop, the inner loop ends and `stopped` is set.
  Interrupt interrupted;
  mutable bool stopped = false;
};

// True (and st.stopped set) when the caller asked to stop.
inline bool inner_interrupted(const MStepState& st) {
  if (!st.interrupted) return false;
  if (st.interrupted()) st.stopped = true;
  return st.stopped;
}

struct MStepInput {
  const Vector& weight;             // k
  const std::vector<Matrix>& scatter;  // k of d x d
  double total;                     // sum of the weights (n)
  MStepState& state;
};

// A covariance M-step writes the k covariance matrices.
using CovarianceMStep = void (*)(const MStepInput& in, std::vector<Matrix>& cov);

struct ModelInfo {
  const char* name;
  bool univariate;          // true for "E" and "V"
  const char* description;  // its constraints, in words
  ScatterKind scatter;
  long (*covariance_df)(long d, long k);
  CovarianceMStep mstep;
  ScatterNeed needs = ScatterNeed::none;  // of each W_k without the ridge (degenerate.h)
};

// Every model, in mclust's order (univariate first).
const std::vector<ModelInfo>& all_models();

// The model called `name` (mclust spelling), or nullptr when there is none.
const ModelInfo* find_model(const std::string& name);

// With one component a model's volume, shape and orientation constraints
// are void: its M-step is that of the closed-form model of its family
// (E, EII, EEI or EEE), which is what this returns.
const ModelInfo& one_component_form(const ModelInfo& model);

// Number of free parameters: proportions, means and covariance parameters.
long model_df(const ModelInfo& model, long d, long k);

}  // namespace emgmm

#endif
