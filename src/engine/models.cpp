// emgmm engine: covariance models (Celeux & Govaert 1995 parametrisation,
// mclust's names).  Sigma_k = lambda_k D_k A_k D_k'.  One M-step per model.
#include "models.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace emgmm {

namespace {

Matrix pooled_scatter(const MStepInput& in) {
  Matrix w = in.scatter[0];
  for (std::size_t j = 1; j < in.scatter.size(); ++j) w += in.scatter[j];
  return w;
}

// EII: lambda I, lambda = tr(sum_k W_k) / (n d).
void mstep_EII(const MStepInput& in, std::vector<Matrix>& cov) {
  const Matrix::Index d = in.scatter[0].rows();
  double tr = 0.0;
  for (const Matrix& w : in.scatter) tr += w.trace();
  const double lambda = tr / (in.total * static_cast<double>(d));
  for (Matrix& c : cov) c = Matrix::Identity(d, d) * lambda;
}

// VII: lambda_k I, lambda_k = tr(W_k) / (n_k d).
void mstep_VII(const MStepInput& in, std::vector<Matrix>& cov) {
  const Matrix::Index d = in.scatter[0].rows();
  for (std::size_t j = 0; j < cov.size(); ++j) {
    const double lambda = in.scatter[j].trace() / (in.weight(j) * static_cast<double>(d));
    cov[j] = Matrix::Identity(d, d) * lambda;
  }
}

// VVI: lambda_k A_k = diag(W_k) / n_k.
void mstep_VVI(const MStepInput& in, std::vector<Matrix>& cov) {
  for (std::size_t j = 0; j < cov.size(); ++j) {
    cov[j] = Matrix((in.scatter[j].diagonal() / in.weight(j)).asDiagonal());
  }
}

// EEE (and univariate E): one covariance sum_k W_k / n shared by all.
void mstep_EEE(const MStepInput& in, std::vector<Matrix>& cov) {
  const Matrix w = pooled_scatter(in) / in.total;
  for (Matrix& c : cov) c = w;
}

// VVV (and univariate V): W_k / n_k.
void mstep_VVV(const MStepInput& in, std::vector<Matrix>& cov) {
  for (std::size_t j = 0; j < cov.size(); ++j) {
    cov[j] = in.scatter[j] / in.weight(j);
  }
}

// |w|^(1/d) for a symmetric positive semi-definite w.
double det_root(const Matrix& w) {
  Eigen::LLT<Matrix> llt(w);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (llt.info() != Eigen::Success) return nan;
  return std::exp(2.0 * Matrix(llt.matrixL()).diagonal().array().log().mean());
}

// EEI: lambda B (diagonal, shared, |B| = 1): diag(sum_k W_k) / n.
void mstep_EEI(const MStepInput& in, std::vector<Matrix>& cov) {
  const Matrix w = Matrix(pooled_scatter(in).diagonal().asDiagonal()) / in.total;
  for (Matrix& c : cov) c = w;
}

// Equal volume, varying shape (EVI, EVV): Sigma_k = lambda S_k / |S_k|^(1/d)
// with lambda = sum_k |S_k|^(1/d) / n, for S_k = diag(W_k) or W_k.
void equal_volume(const std::vector<Matrix>& s, double total, std::vector<Matrix>& cov) {
  double lambda = 0.0;
  std::vector<double> g(cov.size());
  for (std::size_t j = 0; j < cov.size(); ++j) {
    g[j] = det_root(s[j]);
    lambda += g[j];
  }
  lambda /= total;
  for (std::size_t j = 0; j < cov.size(); ++j) cov[j] = s[j] * (lambda / g[j]);
}

// EVI: lambda B_k with B_k diagonal, |B_k| = 1.
void mstep_EVI(const MStepInput& in, std::vector<Matrix>& cov) {
  std::vector<Matrix> s(cov.size());
  for (std::size_t j = 0; j < cov.size(); ++j) s[j] = Matrix(in.scatter[j].diagonal().asDiagonal());
  equal_volume(s, in.total, cov);
}

// Celeux & Govaert's alternating iterations for a shape A shared by
// components of varying volume, given each component's eigenvalues (VEV) or
// diagonal (VEI) in the columns of `omega` (d x k), warm-started from the
// previous EM iteration: lambda_k = sum_j omega_jk / A_j / (d n_k), then
// A_j = sum_k omega_jk / lambda_k normalised to |A| = 1, until the largest
// relative change of lambda and A is at most tol (mclust's rule).
void shared_shape(const Matrix& omega, const Vector& weight, MStepState& st) {
  const Eigen::Index d = omega.rows();
  const Vector dn = weight * static_cast<double>(d);
  for (long it = 0; it < st.max_iter; ++it) {
    if (inner_interrupted(st)) break;
    const Vector old_scale = st.scale;
    const Vector old_shape = st.shape;
    st.scale = (omega.transpose() * st.shape.cwiseInverse()).cwiseQuotient(dn);
    st.shape = omega * st.scale.cwiseInverse();
    st.shape /= std::exp(st.shape.array().log().mean());
    if (!st.shape.allFinite() || !st.scale.allFinite()) break;
    const double err = std::max(
        ((old_scale - st.scale).array().abs() / (1.0 + st.scale.array())).maxCoeff(),
        ((old_shape - st.shape).array().abs() / (1.0 + st.shape.array())).maxCoeff());
    if (err <= st.tol) break;
  }
}

// VEI: lambda_k B (B diagonal, shared, |B| = 1); mclust starts the inner
// iterations from B = I, lambda = 1.
void mstep_VEI(const MStepInput& in, std::vector<Matrix>& cov) {
  const Eigen::Index d = in.scatter[0].rows();
  const Eigen::Index k = in.weight.size();
  MStepState& st = in.state;
  if (st.shape.size() != d) st.shape = Vector::Ones(d);
  if (st.scale.size() != k) st.scale = Vector::Ones(k);
  Matrix w(d, k);
  for (Eigen::Index j = 0; j < k; ++j) w.col(j) = in.scatter[static_cast<std::size_t>(j)].diagonal();
  shared_shape(w, in.weight, st);
  for (Eigen::Index j = 0; j < k; ++j) {
    cov[static_cast<std::size_t>(j)] = Matrix((st.shape * st.scale(j)).asDiagonal());
  }
}

// Eigenvectors (columns, by decreasing eigenvalue) and eigenvalues of each W_k.
void eigen_scatter(const MStepInput& in, std::vector<Matrix>& vectors, Matrix& values) {
  const Eigen::Index d = in.scatter[0].rows();
  vectors.resize(in.scatter.size());
  values.resize(d, static_cast<Eigen::Index>(in.scatter.size()));
  for (std::size_t j = 0; j < in.scatter.size(); ++j) {
    Eigen::SelfAdjointEigenSolver<Matrix> eig(in.scatter[j]);
    vectors[j] = eig.eigenvectors().rowwise().reverse();
    values.col(static_cast<Eigen::Index>(j)) = eig.eigenvalues().reverse();
  }
}

// VEV: lambda_k D_k A D_k' with D_k the eigenvectors of W_k; lambda_k and A
// by the shared-shape iterations on the eigenvalues.  mclust starts them from
// A = sum_k Omega_k / |sum_k Omega_k|^(1/d), lambda_k = |sum_k Omega_k|^(1/d) / n.
void mstep_VEV(const MStepInput& in, std::vector<Matrix>& cov) {
  const Eigen::Index d = in.scatter[0].rows();
  const Eigen::Index k = in.weight.size();
  std::vector<Matrix> vectors;
  Matrix omega;
  eigen_scatter(in, vectors, omega);
  MStepState& st = in.state;
  if (st.shape.size() != d || st.scale.size() != k) {
    const Vector total = omega.rowwise().sum();
    const double g = std::exp(total.array().log().mean());
    st.shape = total / g;
    st.scale = Vector::Constant(k, g / in.total);
  }
  shared_shape(omega, in.weight, st);
  for (Eigen::Index j = 0; j < k; ++j) {
    const Matrix& v = vectors[static_cast<std::size_t>(j)];
    cov[static_cast<std::size_t>(j)] = v * (st.shape * st.scale(j)).asDiagonal() * v.transpose();
  }
}

// EEV: lambda D_k A D_k'.  With W_k = L_k Omega_k L_k' (eigenvalues in
// decreasing order): A = sum_k Omega_k / |sum_k Omega_k|^(1/d),
// lambda = |sum_k Omega_k|^(1/d) / n, D_k = L_k.
void mstep_EEV(const MStepInput& in, std::vector<Matrix>& cov) {
  std::vector<Matrix> vectors;
  Matrix omega;
  eigen_scatter(in, vectors, omega);
  const Vector a = omega.rowwise().sum() / in.total;  // lambda A
  for (std::size_t j = 0; j < cov.size(); ++j) {
    cov[j] = vectors[j] * a.asDiagonal() * vectors[j].transpose();
  }
}

// VEE: lambda_k C (C shared, |C| = 1), by Celeux & Govaert's iterations as
// mclust runs them (restarted from lambda = 1 at every EM iteration):
// C = sum_k W_k / lambda_k normalised to |C| = 1, then
// lambda_k = tr(W_k C^-1) / (d n_k), until the relative change of
// sum_k n_k d (1 + log lambda_k) is at most tol.
void mstep_VEE(const MStepInput& in, std::vector<Matrix>& cov) {
  const Eigen::Index d = in.scatter[0].rows();
  const Eigen::Index k = in.weight.size();
  const MStepState& st = in.state;
  Vector scale = Vector::Ones(k);
  Matrix c(d, d);
  double previous = std::numeric_limits<double>::max() / 2.0;
  for (long it = 1; it <= st.max_iter; ++it) {
    if (inner_interrupted(st)) break;
    c.setZero();
    for (Eigen::Index j = 0; j < k; ++j) c += in.scatter[static_cast<std::size_t>(j)] / scale(j);
    c /= det_root(c);
    const Eigen::LLT<Matrix> llt(c);
    if (llt.info() != Eigen::Success || !c.allFinite()) break;
    const Matrix cinv = llt.solve(Matrix::Identity(d, d));
    for (Eigen::Index j = 0; j < k; ++j) {
      scale(j) = in.scatter[static_cast<std::size_t>(j)].cwiseProduct(cinv).sum() /
                 (static_cast<double>(d) * in.weight(j));
    }
    const double target = static_cast<double>(d) *
                          (in.weight.sum() + in.weight.dot(scale.array().log().matrix()));
    const double err = std::fabs(target - previous) / (1.0 + std::fabs(target));
    previous = target;
    if (!(err > st.tol)) break;
  }
  for (Eigen::Index j = 0; j < k; ++j) cov[static_cast<std::size_t>(j)] = c * scale(j);
}

// EVE and VVE: lambda_k D A_k D' with a shared orientation D, by the
// majorisation-minimisation iterations of Browne & McNicholas (2014) as mclust
// runs them (the caller has set up the state: first D = I, A_k = I, then the
// previous EM iteration's).  With O = D' and omega_k the largest eigenvalue of W_k, each
// iteration takes O from the polar factor (V U' of the SVD U S V') of
// sum_k A_k^-1 O (W_k - omega_k I), then of sum_k W_k O (A_k^-1 - max(A_k^-1) I)
// (mclust's steps, term for term), then A_k from diag(O W_k O')
// (equal volume: normalised; varying volume: divided by n_k and split into
// lambda_k and |A_k| = 1), until the relative change of
// sum_k tr(A_k^-1 O W_k O') is at most tol.
void orientation_mm(const MStepInput& in, bool equal_volume, std::vector<Matrix>& cov) {
  const Eigen::Index d = in.scatter[0].rows();
  const Eigen::Index k = in.weight.size();
  MStepState& st = in.state;
  Vector omega(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    Eigen::SelfAdjointEigenSolver<Matrix> eig(in.scatter[static_cast<std::size_t>(j)],
                                              Eigen::EigenvaluesOnly);
    omega(j) = eig.eigenvalues().maxCoeff();
  }
  Matrix& o = st.orientation;
  Matrix& a = st.shapes;
  Vector scale = Vector::Ones(k);
  // the inner loop allocates nothing: its matrices and the SVD are reused
  Matrix f(d, d), t(d, d);
  Vector inv(d), s(d);
  Eigen::JacobiSVD<Matrix> svd(d, d, Eigen::ComputeFullU | Eigen::ComputeFullV);
  auto polar = [&]() {  // o = V U' from the SVD f = U S V'
    svd.compute(f);
    o.noalias() = svd.matrixV() * svd.matrixU().transpose();
  };
  double previous = std::numeric_limits<double>::max() / 2.0;
  double target = 0.0;
  for (long it = 1; it <= st.max_iter; ++it) {
    if (inner_interrupted(st)) break;
    f.setZero();
    for (Eigen::Index j = 0; j < k; ++j) {
      // A_k^-1 O (W_k - omega_k I)
      t.noalias() = o * in.scatter[static_cast<std::size_t>(j)];
      t -= omega(j) * o;
      f.noalias() += a.col(j).cwiseInverse().asDiagonal() * t;
    }
    polar();
    f.setZero();
    for (Eigen::Index j = 0; j < k; ++j) {
      // W_k O (A_k^-1 - max(A_k^-1) I)
      t.noalias() = in.scatter[static_cast<std::size_t>(j)] * o;
      inv = a.col(j).cwiseInverse();
      inv.array() -= inv.maxCoeff();
      f.noalias() += t * inv.asDiagonal();
    }
    polar();
    target = 0.0;
    for (Eigen::Index j = 0; j < k; ++j) {
      // the diagonal of O W_k O'
      t.noalias() = o * in.scatter[static_cast<std::size_t>(j)];
      s = t.cwiseProduct(o).rowwise().sum();
      const Vector diag = s;
      if (!equal_volume) s /= in.weight(j);
      const double g = std::exp(s.array().log().mean());
      a.col(j) = s / g;
      scale(j) = g;
      target += (diag.array() / a.col(j).array()).sum();
    }
    const double err = std::fabs(target - previous) / (1.0 + std::fabs(target));
    previous = target;
    if (!a.allFinite() || !(err > st.tol)) break;
  }
  if (equal_volume) scale.setConstant(target / (in.total * static_cast<double>(d)));
  for (Eigen::Index j = 0; j < k; ++j) {
    cov[static_cast<std::size_t>(j)] =
        o.transpose() * (a.col(j) * scale(j)).asDiagonal() * o;
  }
}

// EVE and VVE with the orientation found to convergence by plane rotations.
// For a given orientation O the best shapes are closed-form, so the M-step
// minimises over orthogonal O a concave function of the diagonals
// s_ki = (O W_k O')_ii: sum_k geomean_i(s_ki) (EVE: with A_k = s_k /
// geomean(s_k) and a common volume) or sum_k n_k sum_i log s_ki (VVE: with
// lambda_k A_k = s_k / n_k).  Its linearisation at the current O majorises
// it, and the linearised problem restricted to a rotation of two axes i, j
// has a closed-form minimiser: with w_ki the weights of the linearisation,
// p_k = s_ki, q_k = s_kj and r_k = (O W_k O')_ij, the angle 2 theta points
// against (sum_k (w_ki - w_kj)(p_k - q_k) / 2, sum_k (w_ki - w_kj) r_k).  Each
// such rotation lowers the objective; sweeps over all pairs (Jacobi's order)
// go on until its relative change is at most tol, warm-started from the
// previous EM iteration.  Unlike the majorisation-minimisation steps, whose
// progress in a direction scales with the ratio of the scatter's eigenvalues,
// this converges in a few sweeps on badly scaled data (state.x77: a few
// dozen sweeps where the MM steps stop at their limit of 1000 iterations in
// every M-step).
void orientation_rotations(const MStepInput& in, bool equal_volume, std::vector<Matrix>& cov) {
  const Eigen::Index d = in.scatter[0].rows();
  const Eigen::Index k = in.weight.size();
  MStepState& st = in.state;
  Matrix& o = st.orientation;
  // b_k = O W_k O', kept up to date under the rotations
  std::vector<Matrix> b(static_cast<std::size_t>(k));
  for (Eigen::Index j = 0; j < k; ++j) {
    b[static_cast<std::size_t>(j)] = o * in.scatter[static_cast<std::size_t>(j)] * o.transpose();
  }
  Vector g(k), w(d);
  // the objective, and each component's geometric mean of its diagonal
  auto objective = [&]() {
    double f = 0.0;
    for (Eigen::Index j = 0; j < k; ++j) {
      const Vector s = b[static_cast<std::size_t>(j)].diagonal();
      const double lg = s.array().log().mean();
      g(j) = std::exp(lg);
      f += equal_volume ? g(j) : in.weight(j) * static_cast<double>(d) * lg;
    }
    return f;
  };
  double previous = objective();
  for (long sweep = 1; sweep <= st.max_iter; ++sweep) {
    if (inner_interrupted(st)) break;
    for (Eigen::Index i = 0; i + 1 < d; ++i) {
      for (Eigen::Index l = i + 1; l < d; ++l) {
        double alpha = 0.0, beta = 0.0;
        for (Eigen::Index j = 0; j < k; ++j) {
          const Matrix& bj = b[static_cast<std::size_t>(j)];
          // weights of the linearisation: d f / d s_ki
          const double c0 = equal_volume ? g(j) / static_cast<double>(d) : in.weight(j);
          const double wi = c0 / bj(i, i);
          const double wl = c0 / bj(l, l);
          alpha += 0.5 * (wi - wl) * (bj(i, i) - bj(l, l));
          beta += (wi - wl) * bj(i, l);
        }
        const double norm = std::hypot(alpha, beta);
        if (!(norm > 0.0)) continue;
        // cos 2 theta = -alpha / norm, sin 2 theta = -beta / norm
        const double c2 = -alpha / norm;
        const double cs = std::sqrt(0.5 * (1.0 + c2));
        const double sn = std::copysign(std::sqrt(0.5 * (1.0 - c2)), -beta);
        if (!(std::fabs(sn) > 1e-15)) continue;
        // rows i, l of O and rows and columns i, l of each b_k
        for (Eigen::Index c = 0; c < d; ++c) {
          const double oi = o(i, c), ol = o(l, c);
          o(i, c) = cs * oi + sn * ol;
          o(l, c) = -sn * oi + cs * ol;
        }
        for (Eigen::Index j = 0; j < k; ++j) {
          Matrix& bj = b[static_cast<std::size_t>(j)];
          for (Eigen::Index c = 0; c < d; ++c) {
            const double bi = bj(i, c), bl = bj(l, c);
            bj(i, c) = cs * bi + sn * bl;
            bj(l, c) = -sn * bi + cs * bl;
          }
          for (Eigen::Index c = 0; c < d; ++c) {
            const double bi = bj(c, i), bl = bj(c, l);
            bj(c, i) = cs * bi + sn * bl;
            bj(c, l) = -sn * bi + cs * bl;
          }
        }
        // keep the geometric means current (EVE's weights depend on them)
        if (equal_volume) {
          for (Eigen::Index j = 0; j < k; ++j) {
            g(j) = std::exp(b[static_cast<std::size_t>(j)].diagonal().array().log().mean());
          }
        }
      }
    }
    const double f = objective();
    const double err = std::fabs(previous - f) / (1.0 + std::fabs(f));
    previous = f;
    if (!std::isfinite(f) || !(err > st.tol)) break;
  }
  // the shapes and volumes of the orientation found
  Matrix& a = st.shapes;
  Vector scale(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    Vector sj = b[static_cast<std::size_t>(j)].diagonal();
    if (!equal_volume) sj /= in.weight(j);
    const double gj = std::exp(sj.array().log().mean());
    a.col(j) = sj / gj;
    scale(j) = gj;
  }
  if (equal_volume) scale.setConstant(scale.sum() / in.total);
  for (Eigen::Index j = 0; j < k; ++j) {
    cov[static_cast<std::size_t>(j)] = o.transpose() * (a.col(j) * scale(j)).asDiagonal() * o;
  }
}

// EVE and VVE: mclust's majorisation-minimisation steps when the M-step is
// to be mclust's (no ridge: fits reproduce me() and mclustBIC()), plane
// rotations to convergence otherwise.  Both start from D = I, A_k = I and
// then from the previous EM iteration.
void shared_orientation(const MStepInput& in, bool equal_volume, std::vector<Matrix>& cov) {
  const Eigen::Index d = in.scatter[0].rows();
  const Eigen::Index k = in.weight.size();
  MStepState& st = in.state;
  if (st.orientation.rows() != d) st.orientation = Matrix::Identity(d, d);
  if (st.shapes.rows() != d || st.shapes.cols() != k) st.shapes = Matrix::Ones(d, k);
  if (st.mclust_steps) {
    orientation_mm(in, equal_volume, cov);
  } else {
    orientation_rotations(in, equal_volume, cov);
  }
}

void mstep_EVE(const MStepInput& in, std::vector<Matrix>& cov) {
  shared_orientation(in, true, cov);
}

void mstep_VVE(const MStepInput& in, std::vector<Matrix>& cov) {
  shared_orientation(in, false, cov);
}

// EVV: lambda C_k with |C_k| = 1.
void mstep_EVV(const MStepInput& in, std::vector<Matrix>& cov) {
  equal_volume(in.scatter, in.total, cov);
}

long df_E(long, long) { return 1; }
long df_V(long, long k) { return k; }
long df_EII(long, long) { return 1; }
long df_VII(long, long k) { return k; }
long df_VVI(long d, long k) { return k * d; }
long df_EEI(long d, long) { return d; }
long df_VEI(long d, long k) { return k + d - 1; }
long df_EVI(long d, long k) { return 1 + k * (d - 1); }
long df_EEV(long d, long k) { return 1 + (d - 1) + k * d * (d - 1) / 2; }
long df_EVV(long d, long k) { return 1 + k * (d * (d + 1) / 2 - 1); }
long df_VEV(long d, long k) { return k + (d - 1) + k * d * (d - 1) / 2; }
long df_VEE(long d, long k) { return k + d * (d + 1) / 2 - 1; }
long df_EVE(long d, long k) { return 1 + k * (d - 1) + d * (d - 1) / 2; }
long df_VVE(long d, long k) { return k * d + d * (d - 1) / 2; }
long df_EEE(long d, long) { return d * (d + 1) / 2; }
long df_VVV(long d, long k) { return k * d * (d + 1) / 2; }

const std::vector<ModelInfo> kModels = {
    {"E", true, "univariate, equal variance", ScatterKind::full, df_E, mstep_EEE},
    {"V", true, "univariate, unequal variance", ScatterKind::full, df_V, mstep_VVV},
    {"EII", false, "spherical, equal volume", ScatterKind::diagonal, df_EII, mstep_EII},
    {"VII", false, "spherical, unequal volume", ScatterKind::diagonal, df_VII, mstep_VII},
    {"EEI", false, "diagonal, equal volume and shape", ScatterKind::diagonal, df_EEI, mstep_EEI},
    {"VEI", false, "diagonal, varying volume, equal shape", ScatterKind::diagonal, df_VEI,
     mstep_VEI},
    {"EVI", false, "diagonal, equal volume, varying shape", ScatterKind::diagonal, df_EVI,
     mstep_EVI},
    {"VVI", false, "diagonal, varying volume and shape", ScatterKind::diagonal, df_VVI, mstep_VVI},
    {"EEE", false, "ellipsoidal, equal volume, shape and orientation", ScatterKind::full, df_EEE,
     mstep_EEE},
    {"VEE", false, "ellipsoidal, equal shape and orientation", ScatterKind::full, df_VEE,
     mstep_VEE, ScatterNeed::usable_covariance},
    {"EVE", false, "ellipsoidal, equal volume and orientation", ScatterKind::full, df_EVE,
     mstep_EVE, ScatterNeed::eigenvalues},
    {"VVE", false, "ellipsoidal, equal orientation", ScatterKind::full, df_VVE, mstep_VVE,
     ScatterNeed::eigenvalues},
    {"EEV", false, "ellipsoidal, equal volume and shape", ScatterKind::full, df_EEV, mstep_EEV},
    {"VEV", false, "ellipsoidal, equal shape", ScatterKind::full, df_VEV, mstep_VEV},
    {"EVV", false, "ellipsoidal, equal volume", ScatterKind::full, df_EVV, mstep_EVV},
    {"VVV", false, "ellipsoidal, varying volume, shape and orientation", ScatterKind::full,
     df_VVV, mstep_VVV},
};

}  // namespace

const std::vector<ModelInfo>& all_models() { return kModels; }

const ModelInfo* find_model(const std::string& name) {
  for (const ModelInfo& m : kModels) {
    if (name == m.name) return &m;
  }
  return nullptr;
}

const ModelInfo& one_component_form(const ModelInfo& model) {
  const std::string name = model.name;
  const char* form = "EEE";                          // any orientation letter
  if (model.univariate) {
    form = "E";
  } else if (name[2] == 'I') {
    form = name[1] == 'I' ? "EII" : "EEI";           // spherical, diagonal
  }
  return *find_model(form);
}

long model_df(const ModelInfo& model, long d, long k) {
  return (k - 1) + k * d + model.covariance_df(d, k);
}

}  // namespace emgmm
