// emgmm engine, hierarchical clustering (internal): the two mergers that
// hc_merges() dispatches to, ports of mclust's Fortran: hc_vvv (hcvvv, in
// hc_vvv.cpp) and hc_eii (hceii, in hc_eii.cpp).  Both start from the
// partition into singletons and return the n - 1 merges in mclust's
// numbering, or those found before `interrupted` (may be empty) returned
// true; it is asked every 256 merges.
#ifndef EMGMM_ENGINE_HC_MERGERS_H
#define EMGMM_ENGINE_HC_MERGERS_H

#include <functional>
#include <vector>

#include "hc.h"

namespace emgmm {
namespace hc_detail {

// VVV: unconstrained covariances, regularised by alpha (at least the double
// epsilon) and beta as in mclust's hcVVV.
std::vector<Merge> hc_vvv(DataMap data, double alpha, double beta,
                          const Interrupt& interrupted);

// EII: spherical, equal volume (Ward's criterion).
std::vector<Merge> hc_eii(DataMap data, const Interrupt& interrupted);

}  // namespace hc_detail
}  // namespace emgmm

#endif
