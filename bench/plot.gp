# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# odm-bench's scaling curves: gnuplot -e "dat='build/bench.dat'; out='build/bench.png'" bench/plot.gp
# Medians over the rounds, bars from the fastest to the slowest round.
if (!exists("dat")) dat = 'build/bench.dat'
if (!exists("out")) out = 'build/bench.png'
set terminal png size 1100,450 font ",10" noenhanced
set output out
set multiplot layout 1,2 title "odm-bench: cost against scale (log x)"
set logscale x
set grid
set key bottom right
set yrange [0:*]
set ylabel "ns per operation"

set title "UDP connect() of a typed socket vs typed prefixes"
set xlabel "typed prefixes in odm_prefixes"
set xrange [8:8192]
plot dat index 0 using 1:2:3:4 with yerrorlines lw 2 title "odm: connect (typed by setsc)", \
     dat index 0 using 1:5 with lines dt 2 lw 2 title "no odm: connect after the app's own bind"

set title "setsc() vs open typed sockets"
set xlabel "typed sockets open (odm_sk entries)"
set xrange [50:200000]
plot dat index 1 using 1:2:3:4 with yerrorlines lw 2 title "setsc()"
unset multiplot
