package io.integrationhub.platform.ops;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import javax.management.Attribute;
import javax.management.AttributeChangeNotification;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.Descriptor;
import javax.management.InvalidAttributeValueException;
import javax.management.ListenerNotFoundException;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import javax.management.ReflectionException;
import javax.management.RuntimeErrorException;
import javax.management.RuntimeOperationsException;
import javax.management.modelmbean.ModelMBean;
import javax.management.modelmbean.ModelMBeanAttributeInfo;
import javax.management.modelmbean.ModelMBeanInfo;

import org.apache.camel.util.URISupport;

/**
 * A model MBean over one managed object whose {@link ModelMBeanInfo} (and the methods it names) is shared by every
 * MBean of the same class ({@link SharedInfoMBeanAssembler}). Attributes are read and written, and operations
 * invoked, through the public methods the info was made from, as {@code RequiredModelMBean} does, and String answers
 * of the operations Camel marks {@code mask} are sanitised when the agent masks (as Camel's
 * {@code MixinRequiredModelMBean}); the info itself is never changed ({@link #setModelMBeanInfo} is refused, there is
 * no attribute value caching and no persistence).
 */
final class SharedInfoModelMBean implements ModelMBean {

    /** What all MBeans of one managed class share: the info and the methods behind its attributes and operations. */
    record Shape(ModelMBeanInfo info, Map<String, Method> getters, Map<String, Method> setters,
            Map<String, Method> operations, Set<String> masked) {

        static Shape of(Class<?> type, ModelMBeanInfo info) {
            Map<String, Method> getters = new HashMap<>();
            Map<String, Method> setters = new HashMap<>();
            Map<String, Method> operations = new HashMap<>();
            Set<String> masked = new HashSet<>();
            for (var attribute : info.getAttributes()) {
                Descriptor d = ((ModelMBeanAttributeInfo) attribute).getDescriptor();
                Method getter = method(type, (String) d.getFieldValue("getMethod"));
                if (getter != null) {
                    getters.put(attribute.getName(), getter);
                }
                Method setter = method(type, (String) d.getFieldValue("setMethod"), attribute.getType());
                if (setter != null) {
                    setters.put(attribute.getName(), setter);
                }
            }
            for (MBeanOperationInfo operation : info.getOperations()) {
                String[] signature = types(operation.getSignature());
                Method method = method(type, operation.getName(), signature);
                if (method != null) {
                    operations.put(key(operation.getName(), signature), method);
                }
                // Camel's "mask" (e.g. an endpoint URI): with the agent's mask on, a String answer is sanitised
                if ("true".equals(operation.getDescriptor() == null ? null : operation.getDescriptor().getFieldValue("mask"))) {
                    masked.add(operation.getName());
                }
            }
            return new Shape(info, Map.copyOf(getters), Map.copyOf(setters), Map.copyOf(operations), Set.copyOf(masked));
        }

        /** The public method {@code name} of {@code type} with exactly these parameter types (class names), or null. */
        private static Method method(Class<?> type, String name, String... parameterTypes) {
            if (name == null) {
                return null;
            }
            for (Method m : type.getMethods()) {
                if (m.getName().equals(name) && Arrays.equals(
                        Arrays.stream(m.getParameterTypes()).map(Class::getName).toArray(String[]::new), parameterTypes)) {
                    return accessible(m);
                }
            }
            return null;
        }

        private static Method accessible(Method m) {
            try {
                m.setAccessible(true); // a public method declared by a class that is not public
            } catch (RuntimeException refused) {
                // called as it is
            }
            return m;
        }

        private static String[] types(MBeanParameterInfo[] signature) {
            String[] types = new String[signature == null ? 0 : signature.length];
            for (int i = 0; i < types.length; i++) {
                types[i] = signature[i].getType();
            }
            return types;
        }
    }

    private final Shape shape;
    private final Object target;
    private final boolean mask;
    private volatile NotificationBroadcasterSupport broadcaster;

    SharedInfoModelMBean(Shape shape, Object target, boolean mask) {
        this.shape = shape;
        this.target = target;
        this.mask = mask;
    }

    private static String key(String name, String[] signature) {
        return name + "(" + String.join(",", signature == null ? new String[0] : signature) + ")";
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException, MBeanException, ReflectionException {
        if (attribute == null) {
            throw new RuntimeOperationsException(new IllegalArgumentException("attribute name is null"));
        }
        Method getter = shape.getters().get(attribute);
        if (getter == null) {
            throw new AttributeNotFoundException("no readable attribute " + attribute);
        }
        return call(getter, null);
    }

    @Override
    public void setAttribute(Attribute attribute)
            throws AttributeNotFoundException, InvalidAttributeValueException, MBeanException, ReflectionException {
        if (attribute == null) {
            throw new RuntimeOperationsException(new IllegalArgumentException("attribute is null"));
        }
        Method setter = shape.setters().get(attribute.getName());
        if (setter == null) {
            throw new AttributeNotFoundException("no writable attribute " + attribute.getName());
        }
        call(setter, new Object[] {attribute.getValue()});
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList list = new AttributeList();
        for (String name : attributes == null ? new String[0] : attributes) {
            try {
                list.add(new Attribute(name, getAttribute(name)));
            } catch (Exception skipped) {
                // as RequiredModelMBean: an attribute that cannot be read is left out
            }
        }
        return list;
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        AttributeList set = new AttributeList();
        for (Attribute a : attributes == null ? new AttributeList().asList() : attributes.asList()) {
            try {
                setAttribute(a);
                set.add(a);
            } catch (Exception skipped) {
                // left out of the answer
            }
        }
        return set;
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) throws MBeanException, ReflectionException {
        if (actionName == null) {
            throw new RuntimeOperationsException(new IllegalArgumentException("operation name is null"));
        }
        Method method = shape.operations().get(key(actionName, signature));
        if (method == null) {
            throw new ReflectionException(new NoSuchMethodException(key(actionName, signature)),
                    "no operation " + key(actionName, signature));
        }
        return call(method, params);
    }

    private Object call(Method method, Object[] params) throws MBeanException, ReflectionException {
        try {
            Object answer = method.invoke(target, params == null ? new Object[0] : params);
            if (mask && answer instanceof String text && !text.isEmpty() && shape.masked().contains(method.getName())) {
                return URISupport.sanitizeUri(text); // as Camel's MixinRequiredModelMBean
            }
            return answer;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error error) {
                throw new RuntimeErrorException(error, method.getName() + " failed");
            }
            throw new MBeanException((Exception) cause, method.getName() + " failed");
        } catch (IllegalAccessException | IllegalArgumentException e) {
            throw new ReflectionException(e, method.getName() + " cannot be called");
        }
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return (MBeanInfo) shape.info(); // Camel's info is a ModelMBeanInfoSupport, an MBeanInfo
    }

    @Override
    public void setModelMBeanInfo(ModelMBeanInfo inModelMBeanInfo) {
        throw new RuntimeOperationsException(new UnsupportedOperationException("the MBean info is shared and fixed"));
    }

    @Override
    public void setManagedResource(Object mr, String mrType) {
        throw new RuntimeOperationsException(new UnsupportedOperationException("the managed object is fixed"));
    }

    @Override
    public void load() throws MBeanException {
        throw new MBeanException(new UnsupportedOperationException("no persistence"));
    }

    @Override
    public void store() throws MBeanException {
        throw new MBeanException(new UnsupportedOperationException("no persistence"));
    }

    // --- notifications (none are sent by step MBeans; listeners are kept as the interface asks) ---

    private NotificationBroadcasterSupport broadcaster() {
        NotificationBroadcasterSupport b = broadcaster;
        if (b == null) {
            synchronized (this) {
                if (broadcaster == null) {
                    broadcaster = new NotificationBroadcasterSupport();
                }
                b = broadcaster;
            }
        }
        return b;
    }

    @Override
    public void sendNotification(Notification ntfyObj) {
        broadcaster().sendNotification(ntfyObj);
    }

    @Override
    public void sendNotification(String ntfyText) {
        sendNotification(new Notification("jmx.modelmbean.generic", this, 1, ntfyText));
    }

    @Override
    public void sendAttributeChangeNotification(AttributeChangeNotification notification) {
        sendNotification(notification);
    }

    @Override
    public void sendAttributeChangeNotification(Attribute oldValue, Attribute newValue) {
        sendNotification(new AttributeChangeNotification(this, 1, System.currentTimeMillis(), "attribute changed",
                newValue.getName(), newValue.getValue() == null ? Object.class.getName()
                        : newValue.getValue().getClass().getName(), oldValue.getValue(), newValue.getValue()));
    }

    @Override
    public void addAttributeChangeNotificationListener(NotificationListener listener, String attributeName, Object handback) {
        broadcaster().addNotificationListener(listener, null, handback);
    }

    @Override
    public void removeAttributeChangeNotificationListener(NotificationListener listener, String attributeName)
            throws ListenerNotFoundException {
        broadcaster().removeNotificationListener(listener);
    }

    @Override
    public void addNotificationListener(NotificationListener listener, NotificationFilter filter, Object handback) {
        broadcaster().addNotificationListener(listener, filter, handback);
    }

    @Override
    public void removeNotificationListener(NotificationListener listener) throws ListenerNotFoundException {
        broadcaster().removeNotificationListener(listener);
    }

    @Override
    public MBeanNotificationInfo[] getNotificationInfo() {
        return shape.info().getNotifications();
    }
}
