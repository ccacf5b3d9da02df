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

test_that("names, aliases and \"all\" match ignoring case", {
  resolve <- emgmm:::resolve_models
  expect_identical(resolve(c("ALL"), 2L), resolve("all", 2L))
  expect_identical(resolve(c("All"), 1L), c("E", "V"))
  expect_identical(resolve(c("Full", "FULL", "full"), 2L), "VVV")
  expect_identical(resolve(c("Tied", "DIAG", "Spherical"), 2L), c("EEE", "VVI", "VII"))
  expect_identical(resolve(c("vvv", "eEe", "v"), 1L), c("V", "E"))
  expect_identical(resolve("Tied", 1L), "E")
  # unknown names keep the error listing the valid ones
  cnd <- expect_error(resolve("Fulll", 2L, quote(gmm_fit(x))), class = "emgmm_error_input")
  expect_match(conditionMessage(cnd), "`model` must be one of mclust's model names (E, V, EII",
               fixed = TRUE)
  expect_match(conditionMessage(cnd), "not \"Fulll\".", fixed = TRUE)
  expect_error(resolve("al", 2L), class = "emgmm_error_input")
  # through gmm_fit()
  set.seed(1)
  expect_identical(gmm_fit(faithful, k = 2, model = "Full", threads = 1)$model, "VVV")
  set.seed(1)
  fit <- gmm_fit(faithful, k = 2, model = "ALL", threads = 1)
  expect_identical(nrow(fit$selection), 14L)
})
