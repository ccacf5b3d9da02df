#include <chrono>
#include <cstdio>
#include <random>
#include "../em.h"
#include "../init.h"
using namespace emgmm;
int main(int argc, char** argv) {
  int n = 20000, d = 3, k = 3;
  std::mt19937 gen(1); std::normal_distribution<double> nd;
  Matrix X(n, d); for (int i = 0; i < n * d; ++i) X.data()[i] = nd(gen);
  DataMap x(X.data(), n, d);
  std::uniform_real_distribution<double> ud;
  UniformSource u = [&]() { return ud(gen); };
  auto t0 = std::chrono::steady_clock::now();
  auto starts = start_partitions(x, k, 1, true, u, 1);
  auto t1 = std::chrono::steady_clock::now();
  SuffStats st; stats_from_start(x, nullptr, &starts[0], k, ScatterKind::full, 1, st);
  EmControl c; c.max_iter = 50; c.tol = 0;
  EmResult r = run_em(x, *find_model("VVV"), st, c, Hooks());
  auto t2 = std::chrono::steady_clock::now();
  std::printf("init %.3f s, em %.3f s (%d it), ll %.6f\n", std::chrono::duration<double>(t1 - t0).count(), std::chrono::duration<double>(t2 - t1).count(), r.iterations, r.loglik);
}
