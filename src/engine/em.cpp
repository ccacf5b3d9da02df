// emgmm engine: the M-step driver and the EM loop.
#include "em.h"

#include <cmath>
#include <limits>

namespace emgmm {

Status mstep(const ModelInfo& model, const SuffStats& st, const Vector& reg, Params& out,
             int& bad) {
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
  }
  out.covariances.resize(static_cast<std::size_t>(k));
  model.mstep(MStepInput{st.weight, scatter, total, reg}, out.covariances);
  return Status::ok;
}

EmResult run_em(DataMap x, const ModelInfo& model, const SuffStats& start,
                const EmControl& control, const Hooks& hooks) {
  EmResult res;
  SuffStats st = start;
  Params p;
  Components comp;
  double previous = std::numeric_limits<double>::max() / 2.0;
  const bool ridge = control.reg.size() > 0 && control.reg.maxCoeff() > 0.0;
  for (int it = 1; it <= control.max_iter; ++it) {
    int bad = -1;
    Status s = mstep(model, st, control.reg, p, bad);
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
    if (ridge && it > 1 && ll < previous) {
      // The ridge, not the data, now moves the estimates: the plain
      // log-likelihood would go down.  Keep the previous (better) iterate.
      res.converged = true;
      res.status = Status::ok;
      return res;
    }
    res.trace.push_back(ll);
    res.iterations = it;
    res.loglik = ll;
    res.params = p;
    const double err = std::fabs(previous - ll) / (1.0 + std::fabs(ll));
    previous = ll;
    if (hooks.progress) hooks.progress(it, ll);
    if (err <= control.tol) {
      res.converged = true;
      res.status = Status::ok;
      return res;
    }
    if (hooks.interrupted && hooks.interrupted()) {
      res.status = Status::interrupted;
      return res;
    }
  }
  res.status = Status::max_iter;
  return res;
}

}  // namespace emgmm
