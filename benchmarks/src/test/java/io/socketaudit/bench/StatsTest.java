package io.socketaudit.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsTest {

    @Test
    void medianOfOddCountIsTheMiddleValue() {
        assertEquals(3.0, Stats.median(List.of(5.0, 1.0, 3.0)));
    }

    @Test
    void medianOfEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 2.0, 3.0)));
    }

    @Test
    void medianSkipsUnknownValuesAndIsNaNForNone() {
        assertEquals(2.0, Stats.median(List.of(Double.NaN, 2.0)));
        assertTrue(Double.isNaN(Stats.median(List.of())));
    }

    @Test
    void spreadIsMinToMax() {
        assertEquals(1.0, Stats.min(List.of(3.0, 1.0, 2.0)));
        assertEquals(3.0, Stats.max(List.of(3.0, 1.0, 2.0)));
    }

    @Test
    void ratioToBase() {
        assertEquals(0.975, Stats.ratio(9750, 10000), 1e-12);
        assertTrue(Double.isNaN(Stats.ratio(1, 0)));
        assertTrue(Double.isNaN(Stats.ratio(Double.NaN, 1)));
    }
}
