package com.example.meters;

import io.vigil.flink.VigilFunction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Meter readings through the {@code meter-alerts} operator on a Vigil function host, alerts printed.
 * The host is the first argument, else {@code $VIGIL_HOST}, else localhost:7070.
 */
public final class MeterAlertsJob {
    private MeterAlertsJob() {
    }

    /** The readings' alerts: the operator sees each reading at its own timestamp. */
    public static DataStream<MeterAlert> alerts(DataStream<Reading> readings, String host) {
        return VigilFunction.<Reading, MeterAlert>builder()
                .setEndpoint(host)
                .setOperator("meter-alerts")
                .setInputType(Reading.class)
                .setOutputType(MeterAlert.class)
                .setKeyField("meterId")
                .build()
                .applyTo(readings.assignTimestampsAndWatermarks(WatermarkStrategy.<Reading>forBoundedOutOfOrderness(Duration.ofMinutes(1))
                        .withTimestampAssigner((reading, previous) -> reading.getReadAt())));
    }

    /** A few readings of two meters, minutes apart, that should raise three alerts. */
    public static List<Reading> sampleReadings() {
        long meterA = 7_000_000_001L;
        long meterB = 7_000_000_002L;
        return List.of(
                new Reading(meterA, false, 2.0, minute(0)),
                new Reading(meterA, true, 1.0, minute(1)),
                new Reading(meterB, false, 9.0, minute(2)),
                new Reading(meterA, false, 12.5, minute(3)),   // 2 min after A's tampering: SURGE_AFTER_TAMPER
                new Reading(meterB, true, 0.5, minute(4)),
                new Reading(meterA, false, 6.0, minute(5)),    // A's hour: 21.5 kWh: HIGH_HOURLY_USE
                new Reading(meterB, false, 15.0, minute(20)),  // 16 min after B's tampering: only HIGH_HOURLY_USE (24.5)
                new Reading(meterA, false, 1.0, minute(70)));  // A's earlier readings have left the hour
    }

    static long minute(int minute) {
        return Instant.parse("2026-01-01T00:00:00Z").plus(Duration.ofMinutes(minute)).toEpochMilli();
    }

    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : System.getenv().getOrDefault("VIGIL_HOST", "localhost:7070");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        alerts(env.fromData(sampleReadings()), host).print();
        env.execute("meter-alerts");
    }
}
