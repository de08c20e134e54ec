package io.vigil.examples.fraud;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A Flink MiniCluster in this process whose shutdown the caller waits for. A local environment's
 * {@code executeAsync} shuts its own cluster down asynchronously once the job ends, so a process
 * that exits right after the job races that shutdown (and the RPC system warns that it could not
 * register its JVM shutdown hook).
 */
public final class LocalFlinkCluster implements AutoCloseable {
    private final MiniCluster cluster;

    private LocalFlinkCluster(MiniCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts one task manager with a slot per subtask. */
    public static LocalFlinkCluster start(int slots) throws Exception {
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(new Configuration())
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        cluster.start();
        return new LocalFlinkCluster(cluster);
    }

    /** Submits the job built on {@code env}; the cluster stays up after it ends. */
    public JobClient submit(StreamExecutionEnvironment env, String jobName) throws Exception {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobName);
        JobID job = new JobID();
        graph.setJobId(job);
        cluster.submitJob(graph).get();
        return new MiniClusterJobClient(job, cluster, Thread.currentThread().getContextClassLoader(),
                MiniClusterJobClient.JobFinalizationBehavior.NOTHING);
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
