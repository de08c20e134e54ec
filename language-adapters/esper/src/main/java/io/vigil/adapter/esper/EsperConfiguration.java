package io.vigil.adapter.esper;

import com.espertech.esper.common.client.configuration.Configuration;

final class EsperConfiguration {
    private EsperConfiguration() {
    }

    static Configuration create() {
        Configuration configuration = new Configuration();
        // Time comes only from Vigil's watermarks, and one shard thread owns the runtime.
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        configuration.getRuntime().getExecution().setDisableLocking(true);
        configuration.getCompiler().getByteCode().setAllowSubscriber(false);
        return configuration;
    }
}
