// io.temporal.testserver.TestServer with a keepalive policy that accepts the TypeScript SDK's pings (every 30 s)
// instead of closing the connection, and a bounded debug log of the time-skipping locks. Compiled by
// scripts/lib/tools.js into the test server's cache; a change here rebuilds it (the cache stamp carries this
// file's digest).
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.lang.reflect.Field;
import java.util.LinkedList;
import java.util.concurrent.TimeUnit;

public final class MasslineTestServer {
  /** Time-skipping lock events the server keeps for its diagnostics. */
  static final int LOCK_LOG = 1000;

  /**
   * The server's self-advancing timer keeps every lock and unlock of time skipping in a list "for debugging
   * purposes only", which only grows, and removes a lock from it by a scan from its head when the lock is
   * released: each workflow task then costs time in proportion to every task before it (a campaign of a few
   * hundred units spends most of the server's CPU there). This list keeps the last LOCK_LOG events, finds a
   * released lock from the newest end, and never refuses a release: the lock count, which is what time
   * skipping obeys, is kept apart and stays exact.
   */
  static final class RecentLockEvents<E> extends LinkedList<E> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean add(E event) {
      super.add(event);
      if (size() > LOCK_LOG) removeFirst();
      return true;
    }

    @Override
    public boolean remove(Object event) {
      removeLastOccurrence(event);
      return true;
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static void boundLockEvents(TestServicesStarter services) {
    try {
      Field timerField = TestServicesStarter.class.getDeclaredField("selfAdvancingTimer");
      timerField.setAccessible(true);
      Object timer = timerField.get(services);
      Field events = timer.getClass().getDeclaredField("lockEvents");
      events.setAccessible(true);
      RecentLockEvents bounded = new RecentLockEvents();
      bounded.addAll((LinkedList) events.get(timer));
      events.set(timer, bounded);
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.err.println("massline: the time-skipping lock log stays unbounded (" + e + ")");
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("Usage: MasslineTestServer <port> [--enable-time-skipping]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    // As the stock main: time skipping starts locked unless asked for; the SDK unlocks it while it waits.
    boolean lockTimeSkipping = !(args.length == 2 && "--enable-time-skipping".equalsIgnoreCase(args[1]));
    TestServicesStarter services = new TestServicesStarter(lockTimeSkipping, 0L);
    boundLockEvents(services);
    NettyServerBuilder builder =
        NettyServerBuilder.forPort(port).permitKeepAliveTime(5, TimeUnit.SECONDS).permitKeepAliveWithoutCalls(true);
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      services.close();
    }));
    server.awaitTermination();
  }
}
