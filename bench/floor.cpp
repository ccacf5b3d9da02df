// What this machine does with the compiler flags R uses for packages (the
// flags of this build), for bench/bench.R's floor column: double-precision
// matrix multiply with Eigen, emgmm's vectorised exp(), and memory read
// bandwidth, each on `threads` threads at once.  Compiled by Rcpp::sourceCpp.
// [[Rcpp::depends(RcppEigen)]]
// [[Rcpp::plugins(openmp)]]
#define EIGEN_DONT_PARALLELIZE  // one GEMM per thread, as in emgmm
#include <RcppEigen.h>
#include <chrono>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "../src/engine/fast_exp.h"

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

// [[Rcpp::export]]
Rcpp::NumericVector machine_rates(int threads) {
  double gemm_s = 0.0, exp_s = 0.0, read_s = 0.0, sink = 0.0;
  const int n = 600, reps = 10;
  const long m = 1L << 12, exp_reps = 4000;
  const long big = 1L << 25;  // 256 MB, read from memory
  Eigen::VectorXd big_v = Eigen::VectorXd::Constant(big, 1.0);
#pragma omp parallel num_threads(threads) reduction(+ : sink) reduction(max : gemm_s, exp_s, read_s)
  {
    Eigen::MatrixXd a = Eigen::MatrixXd::Random(n, n), b = Eigen::MatrixXd::Random(n, n), c(n, n);
    c.noalias() = a * b;
#pragma omp barrier
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) c.noalias() = a * b;
    gemm_s = seconds_since(t0);
    sink += c(0, 0);
    Eigen::VectorXd v = -(Eigen::VectorXd::Random(m).array() + 1.0) * 20.0, w(m);
    const Eigen::VectorXd zero = Eigen::VectorXd::Zero(m);
    Eigen::VectorXd total = Eigen::VectorXd::Zero(m);
#pragma omp barrier
    t0 = std::chrono::steady_clock::now();
    for (long r = 0; r < exp_reps; ++r) {
      w = v;
      emgmm::exp_shifted_add(w, zero, total);  // the engine's exp pass
      sink += w(r % m);
    }
    exp_s = seconds_since(t0);
    int t = 0, nt = 1;
#ifdef _OPENMP
    t = omp_get_thread_num();
    nt = omp_get_num_threads();
#endif
    const long len = big / nt;
#pragma omp barrier
    t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < 4; ++r) sink += big_v.segment(t * len, len).sum();
    read_s = seconds_since(t0);
  }
  const double gflops = threads * 2.0 * n * n * n * reps / gemm_s / 1e9;
  // timed: the copy w = v and the engine's pass (subtract, exp, add), all per value
  const double exp_ns = exp_s / (static_cast<double>(m) * exp_reps) * 1e9;
  const double gbs = 4.0 * 8.0 * static_cast<double>(big) / read_s / 1e9;
  return Rcpp::NumericVector::create(Rcpp::_["gemm_gflops"] = gflops,
                                     Rcpp::_["exp_ns_per_thread"] = exp_ns,
                                     Rcpp::_["read_gb_per_s"] = gbs,
                                     Rcpp::_["sink"] = sink);
}
