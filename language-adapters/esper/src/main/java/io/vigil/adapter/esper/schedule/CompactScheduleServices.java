package io.vigil.adapter.esper.schedule;

import com.espertech.esper.common.internal.context.module.RuntimeExtensionServices;
import com.espertech.esper.common.internal.context.util.StatementContextResolver;
import com.espertech.esper.common.internal.schedule.TimeSourceService;
import com.espertech.esper.common.internal.settings.RuntimeSettingsService;
import com.espertech.esper.runtime.internal.kernel.service.EPServicesContextFactoryDefault;
import com.espertech.esper.runtime.internal.kernel.service.EPServicesHA;
import com.espertech.esper.runtime.internal.schedulesvcimpl.SchedulingServiceSPI;
import java.time.ZoneId;

/** Esper's default services but for the schedule, which is {@link CompactSchedulingService}. Named in the runtime configuration. */
public final class CompactScheduleServices extends EPServicesContextFactoryDefault {
    @Override
    protected SchedulingServiceSPI makeSchedulingService(EPServicesHA ha, TimeSourceService timeSource, RuntimeExtensionServices extensions,
                                                         RuntimeSettingsService settings, StatementContextResolver statements, ZoneId zone) {
        return new CompactSchedulingService(timeSource, zone);
    }
}
