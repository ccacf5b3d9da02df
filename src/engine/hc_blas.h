// emgmm engine, hierarchical clustering (internal): the toolkit of the ports
// of mclust's Fortran -- mclust's constants, the level-1 BLAS as the
// reference implementation computes it, a 1-based column-major view (FMat)
// and mclust's mclrup (adding a row to a triangular factor by Givens
// rotations).  hc_vvv.cpp and hc_eii.cpp call these where mclust's hcvvv and
// hceii call theirs.  They are written out, not taken from a BLAS library,
// so that every operation happens in the reference order: the merges depend
// on every rounding, and an optimised BLAS may sum in another order or fuse
// multiply-adds.  Only the standard library; no R.
#ifndef EMGMM_ENGINE_HC_BLAS_H
#define EMGMM_ENGINE_HC_BLAS_H

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace emgmm {
namespace hc_detail {

constexpr double kFlmax = 1.7976931348623157e308;   // mclust's FLMAX, the largest double
constexpr double kEpsmax = 2.2204460492503131e-16;  // mclust's EPSMAX, the double epsilon
constexpr double kRtHalf = .7071067811865476;       // sqrt(1/2), mclust's rthalf

// ---- level-1 BLAS, as the reference implementation (LAPACK 3.11) computes ----

inline double ddot(int n, const double* x, int incx, const double* y, int incy) {
  double t = 0.0;
  for (int i = 0; i < n; ++i) t = t + x[i * incx] * y[i * incy];
  return t;
}

inline void daxpy(int n, double a, const double* x, int incx, double* y, int incy) {
  if (n <= 0 || a == 0.0) return;
  for (int i = 0; i < n; ++i) y[i * incy] = y[i * incy] + a * x[i * incx];
}

inline void dscal(int n, double a, double* x, int incx) {
  for (int i = 0; i < n; ++i) x[i * incx] = a * x[i * incx];
}

inline void dcopy(int n, const double* x, int incx, double* y, int incy) {
  for (int i = 0; i < n; ++i) y[i * incy] = x[i * incx];
}

inline void drot(int n, double* x, int incx, double* y, int incy, double c, double s) {
  for (int i = 0; i < n; ++i) {
    const double t = c * x[i * incx] + s * y[i * incy];
    y[i * incy] = c * y[i * incy] - s * x[i * incx];
    x[i * incx] = t;
  }
}

inline void drotg(double& a, double& b, double& c, double& s) {
  const double safmin = 2.2250738585072014e-308;  // 2^-1022
  const double safmax = 1.0 / safmin;
  const double anorm = std::fabs(a);
  const double bnorm = std::fabs(b);
  if (bnorm == 0.0) {
    c = 1.0;
    s = 0.0;
    b = 0.0;
  } else if (anorm == 0.0) {
    c = 0.0;
    s = 1.0;
    a = b;
    b = 1.0;
  } else {
    const double scl = std::min(safmax, std::max(safmin, std::max(anorm, bnorm)));
    const double sigma = anorm > bnorm ? std::copysign(1.0, a) : std::copysign(1.0, b);
    const double as = a / scl;
    const double bs = b / scl;
    const double r = sigma * (scl * std::sqrt(as * as + bs * bs));
    c = a / r;
    s = b / r;
    double z;
    if (anorm > bnorm) {
      z = s;
    } else if (c != 0.0) {
      z = 1.0 / c;
    } else {
      z = 1.0;
    }
    a = r;
    b = z;
  }
}

// Column-major matrix with 1-based (row, column) access and Fortran leading
// dimension, so that the ports read like the Fortran they mirror.
struct FMat {
  double* base;
  int ld;
  double& operator()(int i, int j) const {
    return base[(i - 1) + static_cast<std::ptrdiff_t>(j - 1) * ld];
  }
  double* at(int i, int j) const { return &(*this)(i, j); }
};

// mclust's mclrup: adds the row v to the triangular factor r (leading
// dimension lr, n columns) of a group that had l - 1 points.
inline void mclrup(int l, int n, double* v, FMat r) {
  if (l == 1) return;
  double cs = 0.0, sn = 0.0;
  const int k = l - 1;
  if (k <= n) {
    dcopy(n, v, 1, r.at(k, 1), r.ld);
    if (k == 1) return;
    if (n > 1) {
      int i = 1;
      int m = n;
      for (int j = 2; j <= k; ++j) {
        drotg(r(i, i), r(k, i), cs, sn);
        m = m - 1;
        drot(m, r.at(i, j), r.ld, r.at(k, j), r.ld, cs, sn);
        i = j;
      }
    } else {
      drotg(r(1, 1), r(k, 1), cs, sn);
    }
  } else {
    if (n > 1) {
      int i = 1;
      int m = n;
      for (int j = 2; j <= n; ++j) {
        drotg(r(i, i), v[i - 1], cs, sn);
        m = m - 1;
        drot(m, r.at(i, j), r.ld, v + (j - 1), 1, cs, sn);
        i = j;
      }
    }
    drotg(r(n, n), v[n - 1], cs, sn);
  }
}

}  // namespace hc_detail
}  // namespace emgmm

#endif
