package io.integrationhub.platform.ops;

import org.apache.camel.CamelContext;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
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
        // bound here from the environment: a post-processor is made before the configuration-properties beans
        if (bean instanceof CamelContext camelContext && Binder.get(environment).bind("hub.ops", OpsProperties.class)
                .orElseGet(OpsProperties::new).isSharedStepMbeanInfo()) {
            camelContext.getCamelContextExtension().setManagementMBeanAssembler(new SharedInfoMBeanAssembler(camelContext));
        }
        return bean;
    }
}
