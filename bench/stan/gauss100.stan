// Neal's 100-D Gaussian: independent, sd_i = i / 100.
transformed data {
  vector[100] sds;
  for (i in 1:100) sds[i] = i / 100.0;
}
parameters {
  vector[100] x;
}
model {
  x ~ normal(0, sds);
}
