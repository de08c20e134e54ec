package com.example.meters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The job on a local Flink cluster against a running Vigil host ($VIGIL_HOST, else localhost:7070)
 * with operator/meter-alerts.yaml deployed: see README.md.
 */
class MeterAlertsJobTest {
    @Test
    void raisesExactlyTheAlertsTheRulesDescribe() throws Exception {
        String host = System.getenv().getOrDefault("VIGIL_HOST", "localhost:7070");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);

        List<MeterAlert> alerts = new ArrayList<>();
        try (CloseableIterator<MeterAlert> results = MeterAlertsJob.alerts(env.fromData(MeterAlertsJob.sampleReadings()), host)
                .executeAndCollect("meter-alerts")) {
            results.forEachRemaining(alerts::add);
        }
        alerts.sort(Comparator.comparingLong(MeterAlert::getReadAt));

        assertEquals(List.of(
                new MeterAlert("SURGE_AFTER_TAMPER", 7_000_000_001L, 12.5, MeterAlertsJob.minute(3)),
                new MeterAlert("HIGH_HOURLY_USE", 7_000_000_001L, 21.5, MeterAlertsJob.minute(5)),
                new MeterAlert("HIGH_HOURLY_USE", 7_000_000_002L, 24.5, MeterAlertsJob.minute(20))), alerts);
    }
}
