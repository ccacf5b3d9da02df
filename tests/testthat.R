library(testthat)
library(emgmm)

test_check("emgmm")
