package io.integrationhub.platform.ops;

import org.apache.camel.CamelContext;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Installs {@link SharedInfoMBeanAssembler} on the Camel context as soon as the context bean exists, before Camel's
 * management agent initialises (it takes the assembler then) and registers any MBean
 * ({@code hub.ops.shared-step-mbean-info}, default on; {@link OpsProperties}).
 */
@Component
public class SharedStepMBeans implements BeanPostProcessor, EnvironmentAware {

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof CamelContext camelContext
                && environment.getProperty("hub.ops.shared-step-mbean-info", Boolean.class, true)) {
            camelContext.getCamelContextExtension().setManagementMBeanAssembler(new SharedInfoMBeanAssembler(camelContext));
        }
        return bean;
    }
}
