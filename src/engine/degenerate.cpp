// emgmm engine: the one definition of a degenerate component (see degenerate.h).
#include "degenerate.h"

#include <cmath>

namespace emgmm {

bool usable_covariance(const Matrix& s, const Eigen::Ref<const Vector>& mean, Factor* out) {
  const Eigen::Index d = s.rows();
  if (!s.allFinite() || !mean.allFinite()) return false;
  const Vector var = s.diagonal();
  for (Eigen::Index v = 0; v < d; ++v) {
    const double floor = limits::kRoundingSd * mean(v);
    if (!(var(v) > 0.0) || var(v) <= floor * floor) return false;
  }
  // Correlation scale: the pivots measure conditioning, not units.
  const Vector inv_sd = var.cwiseSqrt().cwiseInverse();
  const Matrix corr = inv_sd.asDiagonal() * s * inv_sd.asDiagonal();
  const Eigen::LLT<Matrix> llt(corr);
  if (llt.info() != Eigen::Success) return false;
  const Vector piv = Matrix(llt.matrixU()).diagonal();
  if (!piv.allFinite() || !(piv.minCoeff() > limits::kMinPivot)) return false;
  if (out) {
    // U = U_corr diag(sd): the factor of the covariance itself
    out->upper = Matrix(llt.matrixU()) * var.cwiseSqrt().asDiagonal();
    out->log_det = var.array().log().sum() + 2.0 * piv.array().log().sum();
  }
  return true;
}

bool symmetric_to_rounding(const Matrix& s) {
  const Eigen::Index d = s.rows();
  for (Eigen::Index a = 0; a < d; ++a) {
    for (Eigen::Index b = a + 1; b < d; ++b) {
      const double size = std::sqrt(std::fabs(s(a, a) * s(b, b)));
      if (!(std::fabs(s(a, b) - s(b, a)) <= limits::kSymmetry * size)) return false;
    }
  }
  return true;
}

bool above_ridge(const Matrix& c, const Matrix& r) {
  if (r.size() == 0) return true;
  const Vector sd = c.diagonal().cwiseMax(0.0).cwiseSqrt();
  if (!(sd.minCoeff() > 0.0)) return false;
  const Vector inv = sd.cwiseInverse();
  const Matrix diff = inv.asDiagonal() * (c - r) * inv.asDiagonal();
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(diff, Eigen::EigenvaluesOnly);
  return eig.info() == Eigen::Success && eig.eigenvalues().minCoeff() >= -limits::kRidgeTolerance;
}

bool scatter_meets(const Matrix& w, double nk, const Eigen::Ref<const Vector>& mean,
                   ScatterNeed need, const Vector& scale) {
  switch (need) {
    case ScatterNeed::none:
      return true;
    case ScatterNeed::usable_covariance:
      return usable_covariance(w / nk, mean, nullptr);
    case ScatterNeed::eigenvalues: {
      if (!w.allFinite()) return false;
      const Vector s = scale.cwiseSqrt().cwiseInverse();
      const Matrix ws = s.asDiagonal() * w * s.asDiagonal();
      const Eigen::SelfAdjointEigenSolver<Matrix> eig(ws, Eigen::EigenvaluesOnly);
      return eig.info() == Eigen::Success &&
             eig.eigenvalues().minCoeff() >= limits::kMinScaledEigenvalue;
    }
  }
  return false;
}

Status check_parameters(const Params& p, int& bad) {
  const int k = p.k();
  bad = -1;
  if (!p.proportions.allFinite() ||
      !(std::fabs(p.proportions.sum() - 1.0) <= limits::kProportionSum)) {
    bad = 0;
    for (int j = 0; j < k; ++j) {
      if (!std::isfinite(p.proportions(j))) bad = j;
    }
    return Status::empty_component;
  }
  for (int j = 0; j < k; ++j) {
    if (!(p.proportions(j) > 0.0)) {
      bad = j;
      return Status::empty_component;
    }
    const Matrix& s = p.covariances[static_cast<std::size_t>(j)];
    if (!symmetric_to_rounding(s) || !usable_covariance(s, p.means.col(j), nullptr)) {
      bad = j;
      return Status::singular;
    }
  }
  return Status::ok;
}

}  // namespace emgmm
