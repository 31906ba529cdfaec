package io.lokiconnect.benchmarks.worker;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/** The values of one figure over the runs of a benchmark, reported as min / median / max. */
record Figure(double[] values) {

    /** The runs' values; null (a variant the smoke run skips) gives an empty figure, shown as n/a. */
    static Figure of(List<Double> values) {
        return new Figure(values == null ? new double[0] : values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Per-run quotient of two figures measured in the same runs (the runs are interleaved, so load hits both). */
    static Figure ratio(Figure numerator, Figure denominator) {
        int n = Math.min(numerator.values.length, denominator.values.length);
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = numerator.values[i] / denominator.values[i];
        }
        return new Figure(r);
    }

    boolean isEmpty() {
        return values.length == 0;
    }

    double min() {
        return sorted()[0];
    }

    double median() {
        double[] s = sorted();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    double max() {
        double[] s = sorted();
        return s[s.length - 1];
    }

    private double[] sorted() {
        if (values.length == 0) {
            throw new IllegalStateException("no runs");
        }
        double[] s = values.clone();
        Arrays.sort(s);
        return s;
    }

    Figure map(DoubleUnaryOperator f) {
        return new Figure(Arrays.stream(values).map(f).toArray());
    }

    /** {@code min / median / max} with a number format such as {@code %,.0f}. */
    String format(String numberFormat) {
        if (values.length == 0) {
            return "n/a";
        }
        if (values.length == 1) {
            return number(numberFormat, values[0]) + " (1 run)";
        }
        return number(numberFormat, min()) + " / **" + number(numberFormat, median()) + "** / "
                + number(numberFormat, max());
    }

    /** Infinite stands for "did not happen within the limit" (a latency of lines that never arrived). */
    private static String number(String numberFormat, double value) {
        return Double.isInfinite(value) ? "∞" : String.format(Locale.ROOT, numberFormat, value);
    }

    String lines() {
        return format("%,.0f");
    }

    String times() {
        return format("%.2f") + "×";
    }
}
