package io.integrationhub.platform.sync;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A schedule firing: asks for an incremental run on {@code hub.sync.requests}, exactly like a webhook
 * would; a run already queued or running for the entity absorbs the request. Quartz instantiates this
 * class (Spring's job factory injects the fields), so it only holds ids in its job data.
 */
@DisallowConcurrentExecution
public class ScheduledSyncJob implements Job {

    @Autowired
    private ProducerTemplate producer;

    @Autowired
    private ObjectMapper mapper;

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        JobDataMap data = context.getMergedJobDataMap();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("tenantId", data.getString(SyncSchedules.TENANT));
        request.put("connectionId", data.getString(SyncSchedules.CONNECTION));
        request.put("entity", data.getString(SyncSchedules.ENTITY));
        request.put("mode", "incremental");
        request.put("reason", "schedule");
        try {
            producer.sendBodyAndHeader(SyncService.DISPATCH, mapper.writeValueAsString(request), KafkaConstants.KEY,
                    data.getString(SyncSchedules.CONNECTION));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new JobExecutionException("scheduled sync request not published", e);
        }
    }
}
