// emgmm engine: exp() of many non-positive numbers, as the log-sum-exp needs.
//
// With only SSE2 (the x86-64 baseline, and what R's default flags compile
// for), Eigen's vectorised exp() spends most of its time emulating floor();
// this one rounds with the 1.5 * 2^52 trick, reduces to |r| <= log(2) / 2 in
// two steps (Cody & Waite) and sums the Taylor series to r^13 / 13! (the next
// term is below 5e-18), evaluated in Estrin's scheme: within 2 ulp of
// std::exp().  Inputs below -708 (and -inf) give 0, not a subnormal.  With
// AVX or on other processors, Eigen's own exp() is used.
#ifndef EMGMM_ENGINE_FAST_EXP_H
#define EMGMM_ENGINE_FAST_EXP_H

#include <Eigen/Core>

#if defined(__SSE2__) && !defined(__AVX__)
#include <emmintrin.h>
#define EMGMM_SSE2_EXP 1
#endif

namespace emgmm {

#ifdef EMGMM_SSE2_EXP
namespace detail {

inline __m128d exp_nonpositive_pd(__m128d x0) {
  const __m128d lowest = _mm_set1_pd(-708.0);
  const __m128d under = _mm_cmplt_pd(x0, lowest);
  const __m128d x = _mm_max_pd(x0, lowest);
  const __m128d magic = _mm_set1_pd(6755399441055744.0);  // 1.5 * 2^52
  const __m128d t = _mm_add_pd(_mm_mul_pd(x, _mm_set1_pd(1.4426950408889634074)), magic);
  const __m128d m = _mm_sub_pd(t, magic);  // round(x / log 2)
  const __m128d r =
      _mm_sub_pd(_mm_sub_pd(x, _mm_mul_pd(m, _mm_set1_pd(6.93147180369123816490e-01))),
                 _mm_mul_pd(m, _mm_set1_pd(1.90821492927058770002e-10)));
  const auto c = [](double v) { return _mm_set1_pd(v); };
  const auto fma = [](__m128d a, __m128d b, __m128d d) { return _mm_add_pd(_mm_mul_pd(a, b), d); };
  const __m128d r2 = _mm_mul_pd(r, r);
  const __m128d r4 = _mm_mul_pd(r2, r2);
  const __m128d r8 = _mm_mul_pd(r4, r4);
  const __m128d p01 = fma(r, c(1.0), c(1.0));
  const __m128d p23 = fma(r, c(1.0 / 6.0), c(0.5));
  const __m128d p45 = fma(r, c(1.0 / 120.0), c(1.0 / 24.0));
  const __m128d p67 = fma(r, c(1.0 / 5040.0), c(1.0 / 720.0));
  const __m128d p89 = fma(r, c(1.0 / 362880.0), c(1.0 / 40320.0));
  const __m128d p1011 = fma(r, c(1.0 / 39916800.0), c(1.0 / 3628800.0));
  const __m128d p1213 = fma(r, c(1.0 / 6227020800.0), c(1.0 / 479001600.0));
  const __m128d p03 = fma(r2, p23, p01);
  const __m128d p47 = fma(r2, p67, p45);
  const __m128d p811 = fma(r2, p1011, p89);
  const __m128d p07 = fma(r4, p47, p03);
  const __m128d p813 = fma(r4, p1213, p811);
  const __m128d p = fma(r8, p813, p07);
  // 2^m: the low bits of t hold m; shifted into the exponent field
  __m128i b = _mm_castpd_si128(t);
  b = _mm_slli_epi64(_mm_add_epi64(b, _mm_set1_epi64x(1023)), 52);
  return _mm_andnot_pd(under, _mm_mul_pd(p, _mm_castsi128_pd(b)));
}

}  // namespace detail
#endif

// v = exp(v) in place, for v <= 0 (or -inf); not for NaN.
inline void exp_nonpositive(Eigen::Ref<Eigen::VectorXd> v) {
#ifdef EMGMM_SSE2_EXP
  double* p = v.data();
  const Eigen::Index n = v.size();
  Eigen::Index i = 0;
  for (; i + 2 <= n; i += 2) _mm_storeu_pd(p + i, detail::exp_nonpositive_pd(_mm_loadu_pd(p + i)));
  if (i < n) {
    alignas(16) double last[2] = {p[i], 0.0};
    _mm_store_pd(last, detail::exp_nonpositive_pd(_mm_load_pd(last)));
    p[i] = last[0];
  }
#else
  v.array() = v.array().exp();
#endif
}

// v = exp(v - m) and t += v, elementwise in one pass, for v <= m (the
// log-sum-exp of one column against the rows' maxima m).
inline void exp_shifted_add(Eigen::Ref<Eigen::VectorXd> v, const Eigen::Ref<const Eigen::VectorXd>& m,
                            Eigen::Ref<Eigen::VectorXd> t) {
#ifdef EMGMM_SSE2_EXP
  double* p = v.data();
  const double* mp = m.data();
  double* tp = t.data();
  const Eigen::Index n = v.size();
  Eigen::Index i = 0;
  for (; i + 2 <= n; i += 2) {
    const __m128d e = detail::exp_nonpositive_pd(_mm_sub_pd(_mm_loadu_pd(p + i), _mm_loadu_pd(mp + i)));
    _mm_storeu_pd(p + i, e);
    _mm_storeu_pd(tp + i, _mm_add_pd(_mm_loadu_pd(tp + i), e));
  }
  if (i < n) {
    alignas(16) double last[2] = {p[i] - mp[i], 0.0};
    _mm_store_pd(last, detail::exp_nonpositive_pd(_mm_load_pd(last)));
    p[i] = last[0];
    tp[i] += last[0];
  }
#else
  v.array() = (v - m).array().exp();
  t += v;
#endif
}

}  // namespace emgmm

#endif
