// emgmm engine: covariance models (Celeux & Govaert 1995 parametrisation,
// mclust's names).  Sigma_k = lambda_k D_k A_k D_k'.  One M-step per model.
#include "models.h"

#include <cstring>

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

long df_E(long, long) { return 1; }
long df_V(long, long k) { return k; }
long df_EII(long, long) { return 1; }
long df_VII(long, long k) { return k; }
long df_VVI(long d, long k) { return k * d; }
long df_EEE(long d, long) { return d * (d + 1) / 2; }
long df_VVV(long d, long k) { return k * d * (d + 1) / 2; }

const ModelInfo kModels[] = {
    {"E", true, ScatterKind::full, df_E, mstep_EEE},
    {"V", true, ScatterKind::full, df_V, mstep_VVV},
    {"EII", false, ScatterKind::diagonal, df_EII, mstep_EII},
    {"VII", false, ScatterKind::diagonal, df_VII, mstep_VII},
    {"VVI", false, ScatterKind::diagonal, df_VVI, mstep_VVI},
    {"EEE", false, ScatterKind::full, df_EEE, mstep_EEE},
    {"VVV", false, ScatterKind::full, df_VVV, mstep_VVV},
};

}  // namespace

const ModelInfo* find_model(const std::string& name) {
  for (const ModelInfo& m : kModels) {
    if (name == m.name) return &m;
  }
  return nullptr;
}

long model_df(const ModelInfo& model, long d, long k) {
  return (k - 1) + k * d + model.covariance_df(d, k);
}

}  // namespace emgmm
