// emgmm engine: the one definition of a degenerate component.
//
// Every numerical threshold that decides whether a component can be used
// lives here, and every part of the package asks these functions: the
// E-step (before it factorises a covariance), the M-steps (what a model's
// M-step requires of a component's scatter), the collapse test (is a
// component held up by the ridge alone?) and the check of fitted objects
// that R hands back for prediction and plotting.  So what one accepts, the
// others accept.
//
// The tests are free of units wherever the model allows it: a covariance is
// judged on its own correlation scale and against the rounding level of its
// own mean, so rescaling a variable or shifting it by a large offset changes
// nothing.
#ifndef EMGMM_ENGINE_DEGENERATE_H
#define EMGMM_ENGINE_DEGENERATE_H

#include "types.h"

namespace emgmm {

namespace limits {

// A component whose total posterior weight is at or below this is empty
// (mclust's sqrt(eps)).
constexpr double kEmptyWeight = 1.4901161193847656e-08;

// Smallest Cholesky pivot of a covariance on its correlation scale
// (condition number about 1e14).  A rank-deficient covariance computed in
// floating point has pivots at rounding level (about 1e-8), whatever its
// rounding, so it always fails.
constexpr double kMinPivot = 1e-7;

// A variance at or below (2 eps mu)^2, an sd of about one unit in the last
// place of the mean, means the component sits on (numerically) one value.
constexpr double kRoundingSd = 2.0 * 2.220446049250313e-16;

// The M-steps of EVE and VVE work with the eigenvalues of each component's
// scatter: mclust requires them to be at least sqrt(eps); here they are
// taken in units of the variables' variances, so that the test does not
// depend on the units of the data.
constexpr double kMinScaledEigenvalue = 1.4901161193847656e-08;

// Parameters handed back by the user (an edited fit) may differ from what
// the engine would accept exactly only by rounding: a covariance from its
// transpose (relative to the geometric mean of the two variances), the
// proportions from a sum of 1.
constexpr double kSymmetry = 1e-10;

// above_ridge(): how far below zero (on the covariance's correlation scale)
// an eigenvalue of C - R may be and still count as zero.
constexpr double kRidgeTolerance = 1e-12;
constexpr double kProportionSum = 1e-6;

}  // namespace limits

// What a model's M-step requires of each component's scatter W_k (the
// weighted sum of squares about its mean, without a ridge): nothing; that
// W_k / n_k be a usable covariance (VEE, whose M-step inverts it); or that
// W_k's eigenvalues in units of the variables' variances be at least
// limits::kMinScaledEigenvalue (EVE and VVE, as mclust requires).
enum class ScatterNeed { none, usable_covariance, eigenvalues };

// True when the total weight of a component makes it empty.
inline bool is_empty_weight(double w) { return !(w > limits::kEmptyWeight); }

// The upper Cholesky factor of a usable covariance, and the log of its
// determinant.
struct Factor {
  Matrix upper;          // d x d, S = U' U
  double log_det = 0.0;  // log |S|
};

// Whether `s` (d x d, symmetric; the factorisation reads its lower
// triangle) is a usable covariance for a component whose mean is `mean`: finite,
// every variance above the rounding level of the mean, and every Cholesky
// pivot of its correlation matrix above limits::kMinPivot.  On success the
// factor is written to `out` when it is not null.
bool usable_covariance(const Matrix& s, const Eigen::Ref<const Vector>& mean, Factor* out);

// Whether `s` is symmetric to rounding (limits::kSymmetry).
bool symmetric_to_rounding(const Matrix& s);

// Whether the covariance `c` is at least the ridge `r` in every direction
// (c - r positive semi-definite, judged on c's correlation scale to a
// tolerance of limits::kRidgeTolerance); true when r is empty.
bool above_ridge(const Matrix& c, const Matrix& r);

// Whether a component's scatter `w` (weight `nk`, mean `mean`) meets `need`.
// `scale` holds the variables' variances (for ScatterNeed::eigenvalues).
bool scatter_meets(const Matrix& w, double nk, const Eigen::Ref<const Vector>& mean,
                   ScatterNeed need, const Vector& scale);

// Checks a whole set of parameters as the E-step will use them: proportions
// positive and finite, means finite, covariances symmetric to rounding and
// usable.  Returns Status::ok, or the status and, in `bad`, the 0-based
// component at fault (Status::empty_component for a proportion, otherwise
// Status::singular).
Status check_parameters(const Params& p, int& bad);

}  // namespace emgmm

#endif
