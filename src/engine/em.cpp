// emgmm engine: the M-step driver and the EM loop.
#include "em.h"

#include <cmath>
#include <limits>

namespace emgmm {

namespace {

// Whether W meets `need`.  Positive definite: the Cholesky pivots of W on
// the correlation scale exceed 1e-7 (as for covariances in the E-step, so a
// rank-deficient W fails whatever its rounding).  Eigenvalues: judged on W in
// units of the variables' variances.
bool scatter_ok(const Matrix& w, ScatterNeed need, const Vector& scale) {
  if (!w.allFinite()) return false;
  if (need == ScatterNeed::positive_definite) {
    const Vector var = w.diagonal();
    if (!(var.minCoeff() > 0.0)) return false;
    const Vector s = var.cwiseSqrt().cwiseInverse();
    const Eigen::LLT<Matrix> llt(Matrix(s.asDiagonal() * w * s.asDiagonal()));
    if (llt.info() != Eigen::Success) return false;
    const Vector piv = Matrix(llt.matrixU()).diagonal();
    return piv.allFinite() && piv.minCoeff() > 1e-7;
  }
  const Vector s = scale.cwiseSqrt().cwiseInverse();
  const Matrix ws = s.asDiagonal() * w * s.asDiagonal();
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(ws, Eigen::EigenvaluesOnly);
  return eig.info() == Eigen::Success &&
         eig.eigenvalues().minCoeff() >= std::sqrt(std::numeric_limits<double>::epsilon());
}

}  // namespace

Status mstep(const ModelInfo& model, const SuffStats& st, const Vector& reg, Params& out,
             int& bad, MStepState* state, const Vector* scale) {
  const Eigen::Index k = st.weight.size();
  const Eigen::Index d = st.sum.rows();
  const double rteps = std::sqrt(std::numeric_limits<double>::epsilon());
  for (Eigen::Index j = 0; j < k; ++j) {
    if (!(st.weight(j) > rteps)) {
      bad = static_cast<int>(j);
      return Status::empty_component;
    }
  }
  const double total = st.weight.sum();
  out.proportions = st.weight / total;
  out.means.resize(d, k);
  std::vector<Matrix> scatter(static_cast<std::size_t>(k));
  for (Eigen::Index j = 0; j < k; ++j) {
    const double nj = st.weight(j);
    const Vector delta = st.sum.col(j) / nj;  // new mean minus the shift
    out.means.col(j) = st.shift.col(j) + delta;
    Matrix& w = scatter[static_cast<std::size_t>(j)];
    if (st.kind == ScatterKind::full) {
      w = st.scatter[static_cast<std::size_t>(j)];
      w.noalias() -= nj * delta * delta.transpose();
    } else {
      w = Matrix::Zero(d, d);
      w.diagonal() = st.scatter[static_cast<std::size_t>(j)].diagonal() -
                     nj * delta.cwiseAbs2();
    }
    // The ridge: reg added to the diagonal of the unconstrained estimate
    // W_k / n_k, that is n_k reg added to the scatter.  For VVV this adds reg
    // to every covariance; constrained models keep their constraints.
    if (scale && model.needs != ScatterNeed::none && k > 1 && scale->size() == d &&
        !scatter_ok(w, model.needs, *scale)) {
      bad = static_cast<int>(j);
      return Status::singular;
    }
    if (reg.size() == d) w.diagonal() += nj * reg;
  }
  out.covariances.resize(static_cast<std::size_t>(k));
  MStepState local;
  const ModelInfo& form = k == 1 ? one_component_form(model) : model;
  form.mstep(MStepInput{st.weight, scatter, total, state ? *state : local}, out.covariances);
  return Status::ok;
}

namespace {

// Covariances of the returned fit without the ridge, so that the caller can
// see whether a component is held up by the ridge alone.
void unregularised(const ModelInfo& model, const SuffStats& used, MStepState state,
                   EmResult& res) {
  Params p;
  int bad = -1;
  if (mstep(model, used, Vector(), p, bad, &state) == Status::ok) {
    res.unregularised = p.covariances;
  }
}

}  // namespace

EmResult run_em(DataMap x, const ModelInfo& model, const SuffStats& start,
                const EmControl& control, const Hooks& hooks) {
  EmResult res;
  SuffStats st = start;
  SuffStats used;       // the statistics behind the current iterate
  SuffStats accepted;   // the statistics behind res.params
  Params p;
  Components comp;
  double previous = std::numeric_limits<double>::max() / 2.0;
  const bool ridge = control.reg.size() > 0 && control.reg.maxCoeff() > 0.0;
  MStepState state;
  state.tol = control.inner_tol;
  state.max_iter = control.inner_max_iter;
  state.interrupted = hooks.interrupted;
  auto finish = [&](Status s, bool converged) {
    res.status = s;
    res.converged = converged;
    if (ridge) unregularised(model, accepted, state, res);
    return res;
  };
  for (int it = 1; it <= control.max_iter; ++it) {
    int bad = -1;
    if (ridge) used = st;
    Status s = mstep(model, st, control.reg, p, bad, &state, ridge ? nullptr : &control.scale);
    if (state.stopped) {
      res.status = Status::interrupted;
      res.iterations = it;
      return res;
    }
    if (s == Status::ok) s = prepare_components(p, comp, bad);
    if (s != Status::ok) {
      res.status = s;
      res.component = bad;
      res.iterations = it;
      res.params = p;
      return res;
    }
    estep_stats(x, comp, model.scatter, control.threads, st);
    const double ll = st.loglik;
    if (!std::isfinite(ll)) {
      res.status = Status::not_finite;
      res.iterations = it;
      res.params = p;
      return res;
    }
    const double err = std::fabs(previous - ll) / (1.0 + std::fabs(ll));
    if (ridge && it > 1 && ll < previous && err <= control.tol) {
      // Converged, but the last ridge step lowered the plain log-likelihood
      // (by at most tol): keep the previous, better iterate.
      return finish(Status::ok, true);
    }
    res.trace.push_back(ll);
    res.iterations = it;
    res.loglik = ll;
    res.sum_log_max = st.sum_log_max;
    res.params = p;
    if (ridge) accepted = used;
    previous = ll;
    if (hooks.progress) hooks.progress(it, ll);
    if (err <= control.tol) return finish(Status::ok, true);
    if (hooks.interrupted && hooks.interrupted()) return finish(Status::interrupted, false);
  }
  return finish(Status::max_iter, false);
}

}  // namespace emgmm
