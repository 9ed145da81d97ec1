package io.socketaudit.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RoundsTest {

    @Test
    void pairsRunsOfTheSameRoundAndSkipsRoundsWithAFailedRun() {
        Rounds rounds = new Rounds();
        rounds.add("bare", 1, 100, 0);
        rounds.add("bare", 2, 200, 0);
        rounds.add("bare", 3, 100, 0);
        rounds.add("agent", 1, 90, 0);
        rounds.add("agent", 3, 50, 0); // round 2's agent run failed
        assertEquals(List.of(0.9, 0.5), rounds.paired("agent", "bare"));
        assertEquals(List.of(90.0, 50.0), rounds.rates("agent"));
    }

    @Test
    void quietRoundsAreThoseWhereOthersLeftBothRunsAlone() {
        Rounds rounds = new Rounds();
        rounds.add("bare", 1, 100, 0.0);
        rounds.add("agent", 1, 95, 0.05);
        rounds.add("bare", 2, 100, 0.5);
        rounds.add("agent", 2, 60, 0.0);
        rounds.add("bare", 3, 100, 0.0);
        rounds.add("agent", 3, 40, 0.9);
        assertEquals(List.of(0.95), rounds.pairedWhere("agent", "bare", 0.1));
    }

    @Test
    void differencesAreTakenRoundByRoundAndSkipUnknownValues() {
        Rounds rounds = new Rounds();
        rounds.add("bare", 1, 200, 0);
        rounds.add("bare", 2, 240, 0);
        rounds.add("bare", 3, 210, 0);
        rounds.add("agent", 1, 230, 0);
        rounds.add("agent", 2, 250, 0);
        rounds.add("agent", 3, Double.NaN, 0);
        rounds.add("agent", 4, 300, 0); // no bare run in round 4
        assertEquals(List.of(30.0, 10.0), rounds.differences("agent", "bare"));
    }
}
