package io.vigil.adapter.esper.schedule;

import com.espertech.esper.common.client.util.DateTime;
import com.espertech.esper.common.internal.schedule.ScheduleHandle;
import com.espertech.esper.common.internal.schedule.TimeSourceService;
import com.espertech.esper.runtime.internal.schedulesvcimpl.ScheduleVisit;
import com.espertech.esper.runtime.internal.schedulesvcimpl.ScheduleVisitor;
import com.espertech.esper.runtime.internal.schedulesvcimpl.SchedulingServiceSPI;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Esper's schedule, with the same contract and firing order as the runtime's own (handles due at
 * or before the clock, by time, then by slot), but a time with no handle left is removed at once.
 * Esper's own keeps such a time until the clock passes it, and finds the nearest schedule by
 * walking past every one of them: a {@code timer:within(1 day)} whose pattern ended leaves one
 * behind per event, so stepping the clock per event ({@code advanceTimeSpan}) cost a walk over a
 * day of them. Here the nearest schedule is the first key.
 */
final class CompactSchedulingService implements SchedulingServiceSPI {
    private final TreeMap<Long, AtTime> byTime = new TreeMap<>();
    private final Map<ScheduleHandle, AtTime> timeOf = new HashMap<>();
    private final DateTimeFormatter formatter;
    private volatile long currentTime;

    CompactSchedulingService(TimeSourceService timeSource, ZoneId zone) {
        this.formatter = DateTimeFormatter.ofPattern(DateTime.DEFAULT_XMLLIKE_DATE_FORMAT).withZone(zone);
        this.currentTime = timeSource.getTimeMillis() - 1;
    }

    @Override
    public long getTime() {
        return currentTime;
    }

    @Override
    public synchronized void setTime(long time) {
        currentTime = time;
    }

    @Override
    public synchronized void add(long afterMSec, ScheduleHandle handle, long slot) {
        if (timeOf.containsKey(handle)) {
            remove(handle, slot);
        }
        AtTime atTime = byTime.computeIfAbsent(currentTime + afterMSec, AtTime::new);
        atTime.put(slot, handle);
        timeOf.put(handle, atTime);
    }

    @Override
    public synchronized void remove(ScheduleHandle handle, long slot) {
        AtTime atTime = timeOf.remove(handle);
        if (atTime == null) {
            // Already fired or removed, as when two timers due together stop each other.
            return;
        }
        atTime.remove(slot);
        if (atTime.isEmpty()) {
            byTime.remove(atTime.due, atTime);
        }
    }

    @Override
    public synchronized void evaluate(Collection<ScheduleHandle> handles) {
        Map.Entry<Long, AtTime> first;
        while ((first = byTime.firstEntry()) != null && first.getKey() <= currentTime) {
            byTime.pollFirstEntry();
            for (ScheduleHandle handle : first.getValue().values()) {
                handles.add(handle);
                timeOf.remove(handle);
            }
        }
    }

    /** Whether a schedule falls due at or before {@code time}. */
    synchronized boolean isDueBy(long time) {
        return !byTime.isEmpty() && byTime.firstKey() <= time;
    }

    @Override
    public synchronized Long getNearestTimeHandle() {
        return byTime.isEmpty() ? null : byTime.firstKey();
    }

    @Override
    public synchronized void transfer(Set<Integer> statementIds, SchedulingServiceSPI target) {
        long targetTime = target.getTime();
        List<Object[]> moving = new ArrayList<>();
        byTime.forEach((due, atTime) -> atTime.forEach((slot, handle) -> {
            if (statementIds.contains(handle.getStatementId())) {
                moving.add(new Object[] {due, slot, handle});
            }
        }));
        for (Object[] move : moving) {
            ScheduleHandle handle = (ScheduleHandle) move[2];
            remove(handle, (Long) move[1]);
            target.add((Long) move[0] - targetTime, handle, (Long) move[1]);
        }
    }

    @Override
    public synchronized void visitSchedules(ScheduleVisitor visitor) {
        ScheduleVisit visit = new ScheduleVisit();
        byTime.forEach((due, atTime) -> {
            visit.setTimestamp(due);
            for (ScheduleHandle handle : atTime.values()) {
                visit.setStatementId(handle.getStatementId());
                visit.setAgentInstanceId(handle.getAgentInstanceId());
                visitor.visit(visit);
            }
        });
    }

    @Override
    public synchronized int getTimeHandleCount() {
        return byTime.size();
    }

    @Override
    public synchronized Long getFurthestTimeHandle() {
        return byTime.isEmpty() ? null : byTime.lastKey();
    }

    @Override
    public synchronized int getScheduleHandleCount() {
        return timeOf.size();
    }

    @Override
    public synchronized boolean isScheduled(ScheduleHandle handle) {
        return timeOf.containsKey(handle);
    }

    @Override
    public DateTimeFormatter getDefaultFormatter() {
        return formatter;
    }

    @Override
    public void init() {
    }

    @Override
    public synchronized void destroy() {
        byTime.clear();
        timeOf.clear();
    }

    /** The handles due at one time, by slot. */
    private static final class AtTime extends TreeMap<Long, ScheduleHandle> {
        final long due;

        AtTime(long due) {
            this.due = due;
        }
    }
}
