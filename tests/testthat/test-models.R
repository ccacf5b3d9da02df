# Covariance models (R/models.R): the list comes from the engine's table,
# names and aliases resolve against the dimension, and the number of
# parameters is the engine's (and mclust's).

test_that("the models are the engine's table, in mclust's order", {
  tab <- emgmm:::model_table()
  expect_identical(tab$name, c("E", "V", "EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE",
                               "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"))
  expect_identical(tab$univariate, rep(c(TRUE, FALSE), c(2L, 14L)))
  expect_true(all(nzchar(tab$description)))
  expect_identical(emgmm:::resolve_models("all", 3L), tab$name[!tab$univariate])
  expect_identical(emgmm:::resolve_models("all", 1L), c("E", "V"))
  expect_identical(emgmm:::resolve_models(c("full", "diag", "tied", "spherical", "vvv"), 2L),
                   c("VVV", "VVI", "EEE", "VII"))
  expect_identical(emgmm:::resolve_models(c("VVV", "EEE", "VII"), 1L), c("V", "E"))
})

test_that("the number of parameters is mclust's for every model", {
  skip_if_not_installed("mclust")
  for (m in emgmm:::model_table()$name) {
    for (d in if (m %in% c("E", "V")) 1L else c(2L, 3L, 7L)) {
      for (k in c(1L, 2L, 5L)) {
        expect_equal(emgmm:::model_df_cpp(m, d, k), mclust::nMclustParams(m, d, k),
                     info = paste(m, d, k))
      }
    }
  }
})
