// The E-step alone, in one process: the minimum over 15 passes of
// estep_stats() over the same 1e6 x 10 rows, k = 5, 2 threads, VVV (no
// argument) or VVI (any argument), from the components of a fixed
// partition.  Prints seconds per pass and the log-likelihood (equal
// log-likelihoods: the same computation).  bench/README.md ("Overhead of
// weights and missing values") compares two source trees with it:
//   for t in old new; do
//     e=<tree $t>/src/engine
//     g++ -std=c++17 -O2 -pthread -DEIGEN_DONT_PARALLELIZE -DNDEBUG \
//       -isystem <RcppEigen>/include -I$e bench/estep.cpp $e/estep.cpp $e/em.cpp \
//       $e/models.cpp $e/degenerate.cpp -o /tmp/estep_$t
//   done
//   for i in 1 2 3; do /tmp/estep_old; /tmp/estep_new; done
#include <chrono>
#include <cstdio>
#include <random>
#include "estep.h"
#include "em.h"
using namespace emgmm;
int main(int argc, char** argv) {
  const int n = 1000000, d = 10, k = 5;
  std::mt19937 g(1); std::normal_distribution<double> z;
  Matrix x(n, d); IntVector lab(n);
  for (int i = 0; i < n; ++i) { lab(i) = i % k; for (int c = 0; c < d; ++c) x(i, c) = z(g) + 0.7 * lab(i); }
  DataMap data(x.data(), n, d);
  SuffStats st; stats_from_labels(data, lab, k, argc > 1 ? ScatterKind::diagonal : ScatterKind::full, 2, st);
  Params p; int bad; mstep(*find_model(argc > 1 ? "VVI" : "VVV"), st, Matrix(), Vector(), p, bad);
  Components c; prepare_components(p, c, bad);
  EStepWorkspace w; SuffStats out;
  double best = 1e9;
  for (int r = 0; r < 15; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    estep_stats(data, c, argc > 1 ? ScatterKind::diagonal : ScatterKind::full, 2, out, w);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s < best) best = s;
  }
  std::printf("%.4f %.10g\n", best, out.loglik);
}
