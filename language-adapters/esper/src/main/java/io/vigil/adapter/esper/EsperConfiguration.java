package io.vigil.adapter.esper;

import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.common.client.util.ClassForNameProvider;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import io.vigil.adapter.esper.schedule.CompactScheduleServices;

final class EsperConfiguration {
    private EsperConfiguration() {
    }

    /**
     * @param classes             the classes the EPL may name
     * @param allowInlinedClasses whether {@code create inlined_class} (Java compiled from the EPL) is allowed
     */
    static Configuration create(AllowedClasses classes, boolean allowInlinedClasses) {
        Configuration configuration = new Configuration();
        configuration.getCommon().getTransientConfiguration().put(ClassForNameProvider.NAME,
                classes.and(CompactScheduleServices.class));
        configuration.getCompiler().getByteCode().setAllowInlinedClass(allowInlinedClasses);
        // Time comes only from Vigil's watermarks, and one shard thread owns the runtime.
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        configuration.getRuntime().getExecution().setDisableLocking(true);
        configuration.getCompiler().getByteCode().setAllowSubscriber(false);
        configuration.getRuntime().setEpServicesContextFactoryClassName(CompactScheduleServices.class.getName());
        return configuration;
    }

    /**
     * A runtime on {@code configuration}. Esper loads the services factory it names through the
     * context class loader, so that is the adapter's own while the runtime starts.
     */
    static EPRuntime runtime(String uri, Configuration configuration) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(EsperConfiguration.class.getClassLoader());
        try {
            return EPRuntimeProvider.getRuntime(uri, configuration);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
