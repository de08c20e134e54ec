package io.vigil.api.codec;

import io.vigil.api.proto.SwapReport;
import io.vigil.api.proto.TakeOver;
import java.util.Locale;

/** Renders a {@link SwapReport} as one sentence, the way the CLI, the demo and the Kubernetes status show it. */
public final class SwapReports {
    private SwapReports() {
    }

    public static String describe(SwapReport report) {
        if (report.getCause() == SwapReport.Cause.RESTORE) {
            return "version " + report.getVersion() + " restored from checkpoint " + report.getRestoredCheckpoint()
                    + " of version " + report.getFromVersion()
                    + (report.getStateCarried() ? ", state carried by replaying its input log" : ", started with empty state");
        }
        if (report.getCause() != SwapReport.Cause.UPDATE) {
            return "";
        }
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "version %d active after a %.2f ms pause",
                report.getVersion(), report.getPauseMicros() / 1000.0));
        boolean takenOver = report.getTakenOver().getCount() > 0;
        if (!report.getStateCarried()) {
            text.append(", started with empty state");
        } else {
            text.append(", state carried");
            if (takenOver) {
                text.append(": ").append(describe(report.getTakenOver())).append(',');
            }
            if (report.getReplayed()) {
                text.append(" by replaying the input log (").append(report.getBatchesReplayedAtSwitch()).append(" batches at the switch)");
            } else {
                text.append(takenOver ? " nothing else to replay" : " (nothing to replay)");
            }
        }
        text.append(String.format(Locale.ROOT, "; compiled in %.1f ms", report.getCompileMicros() / 1000.0));
        if (report.getReplayed()) {
            text.append(String.format(Locale.ROOT, ", %d logged batches replayed off the hot path in %.1f ms",
                    report.getBatchesReplayedAhead(), report.getReplayMicros() / 1000.0));
        }
        return text.toString();
    }

    public static String describe(TakeOver takeOver) {
        return amount(takeOver) + " taken over as they ran";
    }

    /** How much was taken over, for example "3 of 4 statement groups"; empty for nothing. */
    public static String amount(TakeOver takeOver) {
        if (takeOver.getCount() == 0) {
            return "";
        }
        return takeOver.getOf() > 0 ? takeOver.getCount() + " of " + takeOver.getOf() + " " + takeOver.getUnit()
                : takeOver.getCount() + " " + takeOver.getUnit();
    }
}
