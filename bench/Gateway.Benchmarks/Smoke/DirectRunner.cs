using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Gateway.Benchmarks.Smoke;

/// <summary>
/// Runs benchmark bodies directly, without BenchmarkDotNet: once each, so that none can rot unnoticed (the test
/// suite calls <c>--smoke</c>), or many times under an exact allocation count (<c>--alloc</c>), which is finer than
/// MemoryDiagnoser's per-operation figure rounded to whole bytes.
/// </summary>
public static class DirectRunner
{
    private const int WarmupInvocations = 50;
    private const int MeasuredInvocations = 200;
    private static readonly TimeSpan SamplingTime = TimeSpan.FromSeconds(2);

    /// <summary>Global setup, each benchmark once, global cleanup, for every class; returns 1 if anything threw.</summary>
    public static int Smoke(Assembly assembly, TextWriter output)
    {
        int passed = 0;
        int failed = 0;
        foreach (Type type in BenchmarkTypes(assembly))
        {
            foreach (MethodInfo method in BenchmarkMethods(type))
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    object instance = Create(type);
                    RunHooks<GlobalSetupAttribute>(instance, method);
                    RunHooks<IterationSetupAttribute>(instance, method);
                    Invoke(instance, method);
                    RunHooks<IterationCleanupAttribute>(instance, method);
                    RunHooks<GlobalCleanupAttribute>(instance, method);
                    passed++;
                    output.WriteLine($"ok   {type.Name}.{method.Name} ({watch.ElapsedMilliseconds} ms)");
                }
#pragma warning disable CA1031 // Every failure is reported and counted; the exit code carries it.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    failed++;
                    Exception cause = Unwrap(exception);
                    output.WriteLine($"FAIL {type.Name}.{method.Name}: {cause.GetType().Name}: {cause.Message}");
                    output.WriteLine(cause.StackTrace);
                }
            }
        }

        output.WriteLine($"smoke: {passed} passed, {failed} failed");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    /// <summary>
    /// For each benchmark (all, or those whose class or method name contains one of <paramref name="filters"/>):
    /// warm up, then count the bytes allocated on every thread over <see cref="MeasuredInvocations"/> invocations,
    /// per invocation and per operation; when anything was allocated, sample which types with the runtime's
    /// AllocationTick events.
    /// </summary>
    public static int MeasureAllocations(Assembly assembly, string[] filters, TextWriter output)
    {
        output.WriteLine($"{"benchmark",-50} {"B/invoke",12} {"ops/invoke",10} {"B/op",10}");
        foreach (Type type in BenchmarkTypes(assembly))
        {
            foreach (MethodInfo method in BenchmarkMethods(type))
            {
                string name = $"{type.Name}.{method.Name}";
                if (filters.Length > 0 && !filters.Any(filter => name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                object instance = Create(type);
                RunHooks<GlobalSetupAttribute>(instance, method);
                try
                {
                    Action body = Bind(instance, method);
                    for (int i = 0; i < WarmupInvocations; i++)
                    {
                        body();
                    }

                    long before = GC.GetTotalAllocatedBytes(precise: true);
                    for (int i = 0; i < MeasuredInvocations; i++)
                    {
                        body();
                    }

                    long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                    int operations = method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke;
                    double perInvoke = (double)allocated / MeasuredInvocations;
                    output.WriteLine($"{name,-50} {perInvoke,12:F1} {operations,10} {perInvoke / operations,10:F3}");
                    if (allocated > 0)
                    {
                        SampleTypes(body, output);
                    }
                }
                finally
                {
                    RunHooks<GlobalCleanupAttribute>(instance, method);
                }
            }
        }

        output.WriteLine($"relay pushes that did not complete inline: {Sessions.InMemoryPipes.SlowPaths}");
        return 0;
    }

    /// <summary>
    /// A noise-tolerant timing for a shared machine: every selected benchmark is set up side by side, then sampled in
    /// interleaved rounds (so that a burst of load from elsewhere hits all of them alike), and the fastest sample of
    /// each is reported in ns per operation. Complements BenchmarkDotNet's means; it is not a replacement.
    /// </summary>
    public static int MeasureMinimumTimes(Assembly assembly, string[] filters, TextWriter output)
    {
        const int Rounds = 40;
        var selected = new List<(string Name, Action Body, int Operations, object Instance, MethodInfo Method, double Best)>();
        foreach (Type type in BenchmarkTypes(assembly))
        {
            foreach (MethodInfo method in BenchmarkMethods(type))
            {
                string name = $"{type.Name}.{method.Name}";
                if (filters.Length == 0 || filters.Any(filter => name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
                {
                    object instance = Create(type);
                    RunHooks<GlobalSetupAttribute>(instance, method);
                    selected.Add((name, Bind(instance, method), method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke, instance, method, double.MaxValue));
                }
            }
        }

        try
        {
            // Size each sample to about 20 ms after a warm-up, so that tiering has settled.
            int[] invocations = new int[selected.Count];
            for (int i = 0; i < selected.Count; i++)
            {
                var watch = Stopwatch.StartNew();
                int count = 0;
                while (watch.ElapsedMilliseconds < 200)
                {
                    selected[i].Body();
                    count++;
                }

                invocations[i] = Math.Max(1, count / 10);
            }

            for (int round = 0; round < Rounds; round++)
            {
                for (int i = 0; i < selected.Count; i++)
                {
                    Action body = selected[i].Body;
                    long start = Stopwatch.GetTimestamp();
                    for (int n = 0; n < invocations[i]; n++)
                    {
                        body();
                    }

                    double nsPerOperation = Stopwatch.GetElapsedTime(start).TotalNanoseconds / ((double)invocations[i] * selected[i].Operations);
                    if (nsPerOperation < selected[i].Best)
                    {
                        selected[i] = selected[i] with { Best = nsPerOperation };
                    }
                }
            }

            output.WriteLine($"{"benchmark",-50} {"min ns/op",10}   (fastest of {Rounds} interleaved samples)");
            foreach ((string name, _, _, _, _, double best) in selected)
            {
                output.WriteLine($"{name,-50} {best,10:F2}");
            }
        }
        finally
        {
            foreach ((_, _, _, object instance, MethodInfo method, _) in selected)
            {
                RunHooks<GlobalCleanupAttribute>(instance, method);
            }
        }

        return 0;
    }

    private static void SampleTypes(Action body, TextWriter output)
    {
        using var listener = new AllocationListener();
        var watch = Stopwatch.StartNew();
        long invocations = 0;
        while (watch.Elapsed < SamplingTime)
        {
            body();
            invocations++;
        }

        // Runtime events arrive on the listener's own thread; give the last ones a moment.
        Thread.Sleep(500);
        foreach ((string typeName, (int ticks, long bytes)) in listener.Snapshot().OrderByDescending(entry => entry.Value.Bytes))
        {
            output.WriteLine($"    {ticks,6} ticks  ~{bytes / invocations,10} B/invoke  {typeName}");
        }

        if (listener.Snapshot().Count == 0)
        {
            output.WriteLine("    (no AllocationTick event: the runtime samples one per ~100 KB allocated)");
        }
    }

    private static IEnumerable<Type> BenchmarkTypes(Assembly assembly)
        => assembly.GetTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } && BenchmarkMethods(type).Any())
            .OrderBy(type => type.FullName, StringComparer.Ordinal);

    private static IEnumerable<MethodInfo> BenchmarkMethods(Type type)
        => type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(method => method.GetCustomAttribute<BenchmarkAttribute>() is not null)
            .OrderBy(method => method.MetadataToken);

    private static object Create(Type type)
    {
        object instance = Activator.CreateInstance(type)!;
        foreach (MemberInfo member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance))
        {
            if (member.GetCustomAttribute<ParamsAttribute>() is { } parameters)
            {
                // One value is enough to keep the body from rotting.
                object? value = parameters.Values.FirstOrDefault();
                switch (member)
                {
                    case PropertyInfo property:
                        property.SetValue(instance, value);
                        break;
                    case FieldInfo field:
                        field.SetValue(instance, value);
                        break;
                }
            }
            else if (member.GetCustomAttribute<ParamsSourceAttribute>() is not null || member.GetCustomAttribute<ParamsAllValuesAttribute>() is not null)
            {
                throw new NotSupportedException($"{type.Name}.{member.Name}: the smoke runner knows [Params] only");
            }
        }

        return instance;
    }

    private static void RunHooks<TAttribute>(object instance, MethodInfo benchmark)
        where TAttribute : TargetedAttribute
    {
        foreach (MethodInfo hook in instance.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            TAttribute? attribute = hook.GetCustomAttribute<TAttribute>();
            if (attribute is not null && (attribute.Targets is null || attribute.Targets.Length == 0 || attribute.Targets.Contains(benchmark.Name)))
            {
                Invoke(instance, hook);
            }
        }
    }

    private static void Invoke(object instance, MethodInfo method)
    {
        if (method.GetParameters().Length > 0)
        {
            throw new NotSupportedException($"{method.Name} takes arguments; the smoke runner runs parameterless bodies only");
        }

        object? result = method.Invoke(instance, null);
        switch (result)
        {
            case Task task:
                task.GetAwaiter().GetResult();
                break;
            case ValueTask valueTask:
                valueTask.AsTask().GetAwaiter().GetResult();
                break;
            case not null when result.GetType() is { IsGenericType: true } resultType && resultType.GetGenericTypeDefinition() == typeof(ValueTask<>):
                ((Task)resultType.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(result, null)!).GetAwaiter().GetResult();
                break;
        }
    }

    /// <summary>A delegate that calls the benchmark without reflection's boxing and argument arrays, so that it allocates only what the body does.</summary>
    private static Action Bind(object instance, MethodInfo method)
    {
        if (method.ReturnType == typeof(void))
        {
            return method.CreateDelegate<Action>(instance);
        }

        if (typeof(Task).IsAssignableFrom(method.ReturnType) || method.ReturnType.Name.StartsWith("ValueTask", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"{method.Name} is asynchronous; --alloc measures synchronous bodies only");
        }

        return (Action)typeof(DirectRunner).GetMethod(nameof(BindReturning), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.ReturnType)
            .Invoke(null, [instance, method])!;
    }

    private static Action BindReturning<T>(object instance, MethodInfo method)
    {
        Func<T> body = method.CreateDelegate<Func<T>>(instance);
        return () => Sink<T>.Value = body();
    }

    private static Exception Unwrap(Exception exception)
        => exception is TargetInvocationException { InnerException: { } inner } ? Unwrap(inner) : exception;

    private static class Sink<T>
    {
        public static T? Value;
    }

    /// <summary>Counts the runtime's AllocationTick samples (one per ~100 KB allocated) by type.</summary>
    private sealed class AllocationListener : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private readonly Dictionary<string, (int Ticks, long Bytes)> _byType = [];
        private readonly Lock _lock = new();

        public Dictionary<string, (int Ticks, long Bytes)> Snapshot()
        {
            lock (_lock)
            {
                return new Dictionary<string, (int Ticks, long Bytes)>(_byType);
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is null || eventData.Payload is null)
            {
                return;
            }

            int typeIndex = eventData.PayloadNames.IndexOf("TypeName");
            int amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
            string typeName = typeIndex >= 0 ? eventData.Payload[typeIndex] as string ?? "?" : "?";
            long amount = amountIndex >= 0 ? Convert.ToInt64(eventData.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture) : 0;
            lock (_lock)
            {
                _byType[typeName] = _byType.TryGetValue(typeName, out (int Ticks, long Bytes) seen) ? (seen.Ticks + 1, seen.Bytes + amount) : (1, amount);
            }
        }
    }
}
