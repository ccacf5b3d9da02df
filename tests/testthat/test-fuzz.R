# Property-based tests (issue 11, item 2): random small problems, each built
# from its own seed (helper-fuzz.R), 1000 per run by default (the environment
# variable EMGMM_FUZZ_CASES sets another number, e.g. fewer under valgrind).
# Every call to gmm_fit() must return a valid, usable fit or signal a classed
# emgmm error, with classed warnings only.  A failing case is replayed with
# fuzz_check(<seed>) and its inputs are fuzz_case(<seed>).

# Cases that fail on the current code, found by these tests, kept out of the
# run until they are fixed: the seed, the `plot` argument of fuzz_check()
# that shows the failure (NULL: the case's own) and the diagnosis.  The test
# "the known failing fuzz cases still fail" checks that each still fails:
# after a fix, delete the entry (the main run then checks the case).
fuzz_known_failures <- list(
  # plot() (R/plot.R, density_surface()): the 121-point grid of the density
  # contours is seq() over the axis range; when that range is narrower than
  # about 120 rounding steps of its centre, the grid repeats values and
  # contour() stops with an unclassed error "increasing 'x' and 'y' values
  # expected".  Data offset by -1e15 with a spread of a few units:
  list(seed = 73436107L, plot = "all", why = "plot density, 4 variables offset by -1e15"),
  list(seed = 42676930L, plot = "all", why = "plot density, 4 variables offset by -1e15"),
  # a constant variable at 1e10: its variance is the default ridge (1e-10
  # times a variance of order 1), so its axis spans about 5e-5 around 1e10,
  # 25 rounding steps
  list(seed = 77235297L, plot = "all", why = "plot density, a constant variable at 1e10")
)

fuzz_known_seeds <- vapply(fuzz_known_failures, function(f) as.integer(f$seed), integer(1))

test_that("gmm_fit() returns a usable fit or a classed error on random problems", {
  seeds <- fuzz_seeds(fuzz_n_cases())
  outcomes <- character()
  for (seed in setdiff(seeds, fuzz_known_seeds)) {
    failures <- fuzz_check(seed)
    outcomes <- c(outcomes, attr(failures, "outcome"))
    expect(length(failures) == 0L, fuzz_message(seed, failures))
  }
  # the generator keeps its mix: mostly fits, some errors of each kind
  if (length(outcomes) >= 200L) {
    share <- table(factor(outcomes, c("fit", "fit error", "input error"))) / length(outcomes)
    expect_gt(share[["fit"]], 0.4)
    expect_gt(share[["input error"]], 0.1)
    expect_gt(share[["fit error"]], 0.01)
  }
})

test_that("the known failing fuzz cases still fail (delete an entry once it is fixed)", {
  for (f in fuzz_known_failures) {
    failures <- fuzz_check(f$seed, f$plot)
    expect(length(failures) > 0L,
           sprintf("fuzz case %d (%s) now passes: delete it from `fuzz_known_failures`",
                   f$seed, f$why))
  }
  expect_true(TRUE) # when no case is known to fail
})

test_that("a fuzz case is rebuilt identically from its seed", {
  seeds <- fuzz_seeds(3L)
  expect_identical(fuzz_case(seeds[1L]), fuzz_case(seeds[1L]))
  expect_identical(fuzz_seeds(2L), seeds[1:2])
  # replaying a case's fit: set.seed(fit_seed), then its call
  case <- fuzz_case(seeds[2L])
  fit1 <- with_seed_local(case$fit_seed, tryCatch(suppressWarnings(fuzz_fit(case)),
                                                  error = conditionMessage))
  fit2 <- with_seed_local(case$fit_seed, tryCatch(suppressWarnings(fuzz_fit(case)),
                                                  error = conditionMessage))
  expect_identical(fit1, fit2)
})
