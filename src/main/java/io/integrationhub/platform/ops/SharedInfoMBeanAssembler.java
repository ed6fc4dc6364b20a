package io.integrationhub.platform.ops;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.modelmbean.ModelMBean;
import javax.management.modelmbean.ModelMBeanInfo;

import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedInstance;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.api.management.NotificationSenderAware;
import org.apache.camel.support.management.DefaultManagementMBeanAssembler;

/**
 * Camel's MBean assembler, except that MBeans of the same class share one {@link ModelMBeanInfo}.
 *
 * <p>Camel registers an MBean for every step of every route (what Hawtio's route diagram and
 * {@code dumpRouteStatsAsXml} read), every route, endpoint, producer, consumer and service. Its default MBean is a
 * {@code RequiredModelMBean}, which keeps its own deep copy of the MBean info: about 13 KB of descriptors each. A
 * running hub registers about 5,800 (roughly half of them steps of the provider families' routes), so that was
 * ~75 MB of a 256 MiB heap, live for the process's lifetime: the heap the sync benchmark runs in was
 * three-quarters full before the first record, and G1 marked concurrently all the time (docs/performance.md). The info Camel assembles depends only on the
 * MBean's class, so one copy per class does; attributes and operations are the same methods, called on the same
 * object ({@link SharedInfoModelMBean}).
 *
 * <p>The context's MBean (one), and any MBean with a custom managed object (e.g. the circuit breaker step, which is its
 * own {@code @ManagedResource}) or that sends notifications, is assembled by Camel as before.
 */
public class SharedInfoMBeanAssembler extends DefaultManagementMBeanAssembler {

    private final Map<Class<?>, SharedInfoModelMBean.Shape> shapes = new ConcurrentHashMap<>();

    public SharedInfoMBeanAssembler(CamelContext camelContext) {
        super(camelContext);
    }

    @Override
    public ModelMBean assemble(MBeanServer mBeanServer, Object obj, ObjectName name) throws JMException {
        if (!shareable(obj, name)) {
            return super.assemble(mBeanServer, obj, name);
        }
        SharedInfoModelMBean.Shape shape = shapes.get(obj.getClass());
        if (shape == null) {
            ModelMBeanInfo info = assembler.getMBeanInfo(camelContext, obj, null, name.toString());
            if (info == null) {
                return super.assemble(mBeanServer, obj, name);
            }
            shape = shapes.computeIfAbsent(obj.getClass(), c -> SharedInfoModelMBean.Shape.of(c, info));
        }
        return new SharedInfoModelMBean(shape, obj, Boolean.TRUE.equals(masking()));
    }

    /** How many classes share their info (one per kind of step). */
    public int sharedClasses() {
        return shapes.size();
    }

    private boolean shareable(Object obj, ObjectName name) {
        if (obj == null || "context".equals(name.getKeyProperty("type")) || Proxy.isProxyClass(obj.getClass())
                || obj instanceof NotificationSenderAware) {
            return false;
        }
        if (obj instanceof ManagedInstance managed) {
            Object custom = managed.getInstance();
            return custom == null || custom.getClass().getAnnotation(ManagedResource.class) == null;
        }
        return true;
    }

    private Boolean masking() {
        return camelContext.getManagementStrategy().getManagementAgent() == null ? null
                : camelContext.getManagementStrategy().getManagementAgent().getMask();
    }
}
