# Stan's side of bench/nuts.ts, run on this machine: NUTS with rstan's defaults (diag_e, adapt
# delta 0.8, max depth 10), 4 chains x (1000 warm-up + 1000 draws) one after another, for each
# seed given. Prints one JSON line per seed with the same figures bench/nuts.ts computes: min bulk
# ESS over the parameters (rstan 2.21's ess_bulk), leapfrog steps of the kept draws, Stan's own
# elapsed time (warm-up + sampling, all chains), divergences.
#
#   Rscript bench/stan/nuts.R funnel10 1,2,3      (or gauss100)
#
# Needs rstan 2.21 (Debian: apt-get install r-cran-rstan). Debian's BH package points at the
# system Boost headers, which rstan does not find by itself: the script tells it where they are.
suppressMessages(library(rstan))
if (!file.exists(rstan_options("boost_lib")) && file.exists("/usr/include/boost/version.hpp")) {
  rstan_options(boost_lib = "/usr/include")
}
args <- commandArgs(trailingOnly = TRUE)
target <- args[1]
seeds <- as.integer(strsplit(args[2], ",")[[1]])
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE)))
model <- stan_model(file.path(here, paste0(target, ".stan")))
for (seed in seeds) {
  fit <- suppressWarnings(sampling(model, chains = 4, iter = 2000, warmup = 1000, seed = seed,
                                   refresh = 0, cores = 1))
  draws <- as.array(fit)
  n_par <- dim(draws)[3] - 1 # the last is lp__
  ess <- sapply(seq_len(n_par), function(j) ess_bulk(draws[, , j]))
  params <- get_sampler_params(fit, inc_warmup = FALSE)
  leapfrog <- sum(sapply(params, function(m) sum(m[, "n_leapfrog__"])))
  divergences <- sum(sapply(params, function(m) sum(m[, "divergent__"])))
  seconds <- sum(get_elapsed_time(fit))
  step_sizes <- sapply(params, function(m) m[1, "stepsize__"])
  depth <- mean(sapply(params, function(m) mean(m[, "treedepth__"])))
  accept <- mean(sapply(params, function(m) mean(m[, "accept_stat__"])))
  cat(sprintf(paste0('{"seed":%d,"min_bulk_ess":%.4g,"min_bulk_ess_parameter":"%s",',
                     '"leapfrog_steps_sampling":%d,"seconds":%.4g,"divergences":%d,',
                     '"mean_tree_depth":%.4g,"mean_accept_stat":%.4g,"step_sizes":[%s]}\n'),
              seed, min(ess), dimnames(draws)[[3]][which.min(ess)], as.integer(leapfrog),
              seconds, as.integer(divergences), depth, accept,
              paste(sprintf("%.4g", step_sizes), collapse = ",")))
}
