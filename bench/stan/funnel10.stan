// Neal's funnel in 10 dimensions, centred: v ~ N(0, 3^2), x_1..9 ~ N(0, e^v).
parameters {
  real v;
  vector[9] x;
}
model {
  v ~ normal(0, 3);
  x ~ normal(0, exp(v / 2));
}
