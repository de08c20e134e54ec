package io.vigil.adapter.esper.schedule;

import com.espertech.esper.runtime.client.EPEventService;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.internal.kernel.service.EPRuntimeSPI;

/**
 * The external clock of a runtime made with {@link CompactScheduleServices}. Stepping to a time
 * fires every schedule due on the way at its own time, as {@code advanceTimeSpan} does; when none
 * is due by then, that call would only set the time and find nothing to evaluate, dispatch or
 * route, so the step sets the time alone, which is most steps of a per-event clock.
 */
public final class SteppedClock {
    private final EPEventService events;
    private final CompactSchedulingService schedule;

    private SteppedClock(EPEventService events, CompactSchedulingService schedule) {
        this.events = events;
        this.schedule = schedule;
    }

    /** @throws IllegalStateException when the runtime was not made with {@link CompactScheduleServices} */
    public static SteppedClock of(EPRuntime runtime) {
        if (!(((EPRuntimeSPI) runtime).getServicesContext().getSchedulingService() instanceof CompactSchedulingService schedule)) {
            throw new IllegalStateException("runtime " + runtime.getURI() + " was not made with " + CompactScheduleServices.class.getName());
        }
        return new SteppedClock(runtime.getEventService(), schedule);
    }

    /** Sets the time without evaluating anything: the clock's first setting. */
    public void set(long time) {
        events.advanceTime(time);
    }

    /** Steps through every schedule due up to {@code time}, each at its own time. */
    public void stepTo(long time) {
        if (schedule.isDueBy(time)) {
            events.advanceTimeSpan(time);
        } else {
            schedule.setTime(time);
        }
    }
}
