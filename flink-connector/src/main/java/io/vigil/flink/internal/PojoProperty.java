package io.vigil.flink.internal;

import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Locale;

/**
 * One property of a POJO, found once by its getter ({@code getX}, {@code isX} or a record's
 * {@code x()}) and setter ({@code setX}). Accessors are generated as lambdas with
 * {@link LambdaMetafactory}, so reading and writing a property per event costs a plain call, no
 * reflection.
 */
public final class PojoProperty {
    private final Class<?> owner;
    private final String name;
    private final Method getter;
    private final Method setter;

    private PojoProperty(Class<?> owner, String name, Method getter, Method setter) {
        this.owner = owner;
        this.name = name;
        this.getter = getter;
        this.setter = setter;
    }

    /** @return the property, or null when the class has neither getter nor setter for it */
    public static PojoProperty find(Class<?> type, String name) {
        String capitalized = name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
        Method getter = method(type, "get" + capitalized, 0);
        if (getter == null) {
            getter = method(type, "is" + capitalized, 0);
        }
        if (getter == null && type.isRecord()) {
            getter = method(type, name, 0);
        }
        Method setter = method(type, "set" + capitalized, 1);
        if (getter == null && setter == null) {
            return null;
        }
        return new PojoProperty(type, name, getter, setter);
    }

    public String name() {
        return name;
    }

    public Class<?> type() {
        return getter != null ? getter.getReturnType() : setter.getParameterTypes()[0];
    }

    public boolean readable() {
        return getter != null;
    }

    public boolean writable() {
        return setter != null;
    }

    /**
     * A lambda implementing {@code functionalInterface} (its single abstract method named
     * {@code methodName}, of erased type {@code erased}) that calls the getter.
     */
    public <F> F getter(Class<F> functionalInterface, String methodName, MethodType erased) {
        Class<?> returned = getter.getReturnType();
        if (returned.isPrimitive() && !erased.returnType().isPrimitive()) {
            returned = MethodType.methodType(returned).wrap().returnType();
        }
        return lambda(getter, functionalInterface, methodName, erased, MethodType.methodType(returned, owner));
    }

    /** As {@link #getter} for the setter. */
    public <F> F setter(Class<F> functionalInterface, String methodName, MethodType erased) {
        Class<?> parameter = setter.getParameterTypes()[0];
        if (parameter.isPrimitive() && !erased.parameterType(1).isPrimitive()) {
            parameter = MethodType.methodType(parameter).wrap().returnType();
        }
        return lambda(setter, functionalInterface, methodName, erased, MethodType.methodType(void.class, owner, parameter));
    }

    /** A supplier of new instances through the public no-argument constructor. */
    @SuppressWarnings("unchecked")
    public static <T> java.util.function.Supplier<T> constructor(Class<T> type) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            MethodHandle constructor = lookup.findConstructor(type, MethodType.methodType(void.class));
            CallSite site = LambdaMetafactory.metafactory(MethodHandles.lookup(), "get",
                    MethodType.methodType(java.util.function.Supplier.class), MethodType.methodType(Object.class),
                    constructor, MethodType.methodType(type));
            return (java.util.function.Supplier<T>) site.getTarget().invoke();
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalArgumentException(type.getName() + " needs a public no-argument constructor", e);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot generate a constructor call for " + type.getName(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private <F> F lambda(Method method, Class<F> functionalInterface, String methodName, MethodType erased, MethodType instantiated) {
        try {
            MethodHandle target = MethodHandles.publicLookup().unreflect(method);
            CallSite site = LambdaMetafactory.metafactory(MethodHandles.lookup(), methodName,
                    MethodType.methodType(functionalInterface), erased, target, instantiated);
            return (F) site.getTarget().invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("cannot generate an accessor for " + owner.getName() + "." + method.getName(), e);
        }
    }

    private static Method method(Class<?> type, String name, int parameters) {
        for (Method method : type.getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == parameters
                    && !Modifier.isStatic(method.getModifiers())
                    && (parameters == 1 || method.getReturnType() != void.class)) {
                return method;
            }
        }
        return null;
    }
}
