package io.vigil.adapter.esper.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.espertech.esper.common.internal.schedule.ScheduleHandle;
import com.espertech.esper.common.internal.schedule.TimeSourceService;
import com.espertech.esper.runtime.internal.schedulesvcimpl.SchedulingServiceImpl;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The compact schedule against Esper's own, operation for operation, on seeded random work. */
class CompactSchedulingServiceTest {
    private static final TimeSourceService AT_ZERO = () -> 1;

    @Test
    void firesWhatEspersOwnScheduleFiresInTheSameOrder() {
        for (long seed = 1; seed <= 20; seed++) {
            compareOn(new Random(seed), 20_000);
        }
    }

    @Test
    void theNearestScheduleSkipsTimesWhoseHandlesWereAllRemoved() {
        CompactSchedulingService schedule = new CompactSchedulingService(AT_ZERO, ZoneId.of("UTC"));
        schedule.setTime(0);
        Handle early = new Handle(1);
        Handle late = new Handle(2);
        schedule.add(10, early, 1);
        schedule.add(20, late, 2);
        schedule.remove(early, 1);
        assertEquals(20L, schedule.getNearestTimeHandle());
        assertEquals(1, schedule.getTimeHandleCount());
        schedule.remove(late, 2);
        assertEquals(null, schedule.getNearestTimeHandle());
    }

    private static void compareOn(Random random, int operations) {
        SchedulingServiceImpl esper = new SchedulingServiceImpl(-1, AT_ZERO, ZoneId.of("UTC"));
        CompactSchedulingService compact = new CompactSchedulingService(AT_ZERO, ZoneId.of("UTC"));
        List<Handle> handles = new ArrayList<>();
        for (int h = 0; h < 64; h++) {
            handles.add(new Handle(h));
        }
        Map<Handle, Long> slotOf = new HashMap<>();
        long time = 0;
        esper.setTime(time);
        compact.setTime(time);
        for (int op = 0; op < operations; op++) {
            int choice = random.nextInt(10);
            Handle handle = handles.get(random.nextInt(handles.size()));
            if (choice < 4) {
                long slot = random.nextInt(8);
                long after = random.nextInt(50);
                esper.add(after, handle, slot);
                compact.add(after, handle, slot);
                slotOf.put(handle, slot);
            } else if (choice < 7) {
                long slot = slotOf.getOrDefault(handle, 0L);
                esper.remove(handle, slot);
                compact.remove(handle, slot);
            } else {
                time += random.nextInt(random.nextBoolean() ? 3 : 30);
                esper.setTime(time);
                compact.setTime(time);
                List<ScheduleHandle> firedByEsper = new ArrayList<>();
                List<ScheduleHandle> firedByCompact = new ArrayList<>();
                esper.evaluate(firedByEsper);
                compact.evaluate(firedByCompact);
                assertEquals(firedByEsper, firedByCompact, "handles fired at " + time);
            }
            assertEquals(esper.getNearestTimeHandle(), compact.getNearestTimeHandle(), "nearest after operation " + op);
            assertEquals(esper.getScheduleHandleCount(), compact.getScheduleHandleCount(), "handles after operation " + op);
        }
    }

    private record Handle(int id) implements ScheduleHandle {
        @Override
        public int getStatementId() {
            return id;
        }

        @Override
        public int getAgentInstanceId() {
            return 0;
        }
    }
}
